import itertools
import os
import pathlib

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# JAX (in the tests' subprocesses, which inherit this environment): XLA compiles at its lowest
# optimisation level, since the tests check behaviour, not speed, and most of a small JAX run's time is
# compiling (0.6 s per step function at the default level); at level 0 it is about a third less.
os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_backend_optimization_level=0").strip()


def pytest_configure(config):
    """One persistent XLA compilation cache for the whole session, and one thread per worker when xdist
    runs as many workers as there are cores (xdist workers inherit the variables set here, before they
    start): processes that compile the same step functions reuse them, and two TensorFlow workers do
    not fight over the same cores (each would otherwise start a thread per core)."""
    if "PYTEST_XDIST_WORKER" in os.environ:
        return
    workers = getattr(config.option, "numprocesses", None) or 0
    if workers == "auto" or (isinstance(workers, int) and workers >= (os.cpu_count() or 1)):
        for name in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS"):
            os.environ.setdefault(name, "1")
        os.environ["XLA_FLAGS"] += " --xla_cpu_multi_thread_eigen=false"
    if "JAX_COMPILATION_CACHE_DIR" in os.environ:
        return
    import tempfile

    config._keras_fer_jax_cache = tempfile.TemporaryDirectory(prefix="keras-fer-tests-jax-")
    os.environ.update(JAX_COMPILATION_CACHE_DIR=config._keras_fer_jax_cache.name,
                      JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS="0", JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES="0")


def pytest_collection_modifyitems(config, items):
    """With xdist, the tests marked `slow(seconds=...)` are dealt out first, longest first, each to the
    worker whose share is lightest; the other tests follow in their order. xdist's `worksteal` gives each
    worker an equal count of consecutive tests and lets an idle worker steal from the end of another's
    queue, so each worker starts with its long tests and ends with short ones that can be shared: no
    worker is left running a long test alone at the end. (Only the workers collect, and each computes the
    same order; xdist tells a worker the count in PYTEST_XDIST_WORKER_COUNT and clears its -n option.)"""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", 0))
    if workers < 2 or len(items) < 2 * workers:
        return
    cost = lambda item: item.get_closest_marker("slow").kwargs.get("seconds", 10)  # noqa: E731
    slow = sorted((i for i in items if i.get_closest_marker("slow")), key=cost, reverse=True)
    shares, loads = [[] for _ in range(workers)], [0.0] * workers
    for item in slow:
        k = loads.index(min(loads))
        shares[k].append(item)
        loads[k] += cost(item)
    rest = iter(i for i in items if not i.get_closest_marker("slow"))
    sizes = [len(items) // workers] * (workers - 1)
    sizes.append(len(items) - sum(sizes))  # worksteal's split: equal counts, the last takes the remainder
    for share, size in zip(shares, sizes):
        share.extend(itertools.islice(rest, max(size - len(share), 0)))
    shares[-1].extend(rest)
    items[:] = [item for share in shares for item in share]


def pytest_unconfigure(config):
    cache = getattr(config, "_keras_fer_jax_cache", None)
    if cache is not None:
        os.environ.pop("JAX_COMPILATION_CACHE_DIR", None)
        cache.cleanup()

def _real_data() -> pathlib.Path:
    """The real FER2013: $KERAS_FER_REAL_DATA, else a `shared/fer2013` beside the checkout or above it."""
    if os.environ.get("KERAS_FER_REAL_DATA"):
        return pathlib.Path(os.environ["KERAS_FER_REAL_DATA"])
    for parent in pathlib.Path(__file__).resolve().parents:
        candidate = parent / "shared" / "fer2013"
        if (candidate / "fer2013.csv.gz").is_file():
            return candidate
    return pathlib.Path("/work/shared/fer2013")


REAL_DATA = _real_data()


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    """Each test prepares datasets under its own temporary cache, never the user's."""
    monkeypatch.setenv("KERAS_FER_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path / "tfds"))


@pytest.fixture
def fer_dir(tmp_path):
    """A manual dir holding a small synthetic fer2013.csv (70 train, 21 public_test)."""
    from tfds_fer2013.testing import write_fer2013_csv

    write_fer2013_csv(tmp_path / "fer", n_train=70, n_public=21)
    return tmp_path / "fer"


@pytest.fixture(autouse=True)
def _float32_policy():
    """Tests start from, and leave, Keras' default float32 policy."""
    import keras

    keras.mixed_precision.set_global_policy("float32")
    yield
    keras.mixed_precision.set_global_policy("float32")


def run_model_saving_test(model, x, path, atol=0.0):
    """The one save/load round trip of the model and layer tests (as keras-hub's `run_model_saving_test`):
    saves `model` to `path` (.keras), loads it back (safe mode, no custom_objects) and checks that the
    class, the config and the predictions on `x` are the same. Returns the loaded model."""
    import keras
    import numpy as np

    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is type(model), (type(loaded), type(model))
    import json

    same = lambda config: json.loads(json.dumps(config, default=str))  # noqa: E731  (tuples and lists alike)
    assert same(loaded.get_config()) == same(model.get_config())
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=atol, rtol=0)
    return loaded


def kill_after_first_backup(command, out, env, timeout=300):
    """Starts the training `command` (writing the run folder `out`), SIGKILLs it as soon as its first
    epoch backup appears, and checks it died by that signal (not by finishing first)."""
    import signal
    import subprocess
    import time

    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + timeout
    while not list((pathlib.Path(out) / "backup").glob("epoch-*")) and time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "training ended before it could be killed"
