"""Exact resume: a run killed after an epoch and resumed equals the run that was never interrupted
(history rows within 1e-5, best weights allclose), on TensorFlow (tf.data) and JAX (arrays); and two
train() calls with one seed in one process are one run (the TensorFlow case trains its uninterrupted run
twice in pytest's process)."""

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from conftest import kill_after_first_backup
from no_tensorflow import BLOCK_TENSORFLOW
from tfds_fer2013.testing import write_fer2013_csv

COLUMNS = ["loss", "accuracy", "val_loss", "val_accuracy"]


TRAIN = """
import dataclasses, sys
from keras_fer.recipes import FAST
from keras_fer.training import TrainConfig, train
recipe = dataclasses.replace(FAST, mixup=0.4, ema=0.9,
                             augmentation=dict(rotation=15, zoom=0.1, shift=0.1, scale=0.1, noise=0.02, erasing=0.5))
if sys.argv[3] == "no-ramps":  # one train step for all epochs: JAX compiles it once (a ramp retraces each epoch)
    recipe = dataclasses.replace(recipe, dropout_start=None, augment_start=None)
config = TrainConfig(model="dnn", param_budget=30000, data=sys.argv[1], epochs=3, batch_size=16, precision="float32",
                     recipe="fast")
train(config, sys.argv[2], verbose=2, recipe=recipe)
"""


def command(data, out, backend):
    # dropout, augmentation (warp, noise, erasing), mixup and shuffling all draw random numbers, and the
    # weights' moving average is swapped in and out at each epoch: each must continue where it was.
    # JAX: without TensorFlow, as on the GPU machine (the arrays path needs none), and without the ramps
    # (TensorFlow has them): on JAX a ramp retraces and recompiles the train step every epoch, 15 s each on
    # one core; the random streams are the same either way
    if backend == "jax":
        return [sys.executable, "-c", BLOCK_TENSORFLOW + TRAIN, str(data), str(out), "no-ramps"]
    return [sys.executable, "-c", TRAIN, str(data), str(out), "ramps"]


def best_weights(run):
    import keras

    import keras_fer  # noqa: F401  (registers FerAugmentation, inside the JAX path's model)

    return keras.saving.load_model(run / "best.keras", compile=False).get_weights()


def train_here(data, out, monkeypatch):
    """TRAIN in this process (TensorFlow, with the ramps), as `python -c TRAIN data out ramps` runs it."""
    monkeypatch.setattr(sys, "argv", ["-c", str(data), str(out), "ramps"])
    exec(compile(TRAIN, "<TRAIN>", "exec"), {"__name__": "__main__"})
    return pd.read_csv(out / "history.csv")


@pytest.mark.slow(seconds=30)
@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_killed_and_resumed_equals_never_interrupted(tmp_path, backend, monkeypatch):
    """TensorFlow: the uninterrupted run is trained twice in this process (pytest's, which has run other
    tests: two train() calls with one seed are one run, and any state one leaves behind would show), and the
    killed and resumed runs are fresh processes. JAX: all three are fresh processes without TensorFlow."""
    write_fer2013_csv(tmp_path / "fer", n_train=112, n_public=16)
    # the thread settings are this process's (conftest: one thread per xdist worker; one XLA cache)
    env = dict(os.environ, KERAS_FER_CACHE=str(tmp_path / "cache"), KERAS_BACKEND=backend)
    if backend == "tensorflow":
        monkeypatch.setenv("KERAS_FER_CACHE", env["KERAS_FER_CACHE"])
        a = train_here(tmp_path / "fer", tmp_path / "whole", monkeypatch)
        b = train_here(tmp_path / "fer", tmp_path / "twice", monkeypatch)
        assert a["epoch"].tolist() == b["epoch"].tolist() == [1, 2, 3]
        np.testing.assert_allclose(b[COLUMNS].to_numpy(), a[COLUMNS].to_numpy(), atol=1e-6, rtol=0)
    else:
        whole = subprocess.run(command(tmp_path / "fer", tmp_path / "whole", backend), env=env, capture_output=True,
                               text=True, timeout=600)
        assert whole.returncode == 0, whole.stderr[-2000:]

    out = tmp_path / "killed"
    kill_after_first_backup(command(tmp_path / "fer", out, backend), out, env)
    done = pd.read_csv(out / "history.csv")["epoch"].max()
    assert 1 <= done < 3 and not (out / "summary.json").exists()  # killed mid-run: no summary yet
    for name in ("config.json", "best.json"):
        json.loads((out / name).read_text())  # complete, parseable
    again = subprocess.run(command(tmp_path / "fer", out, backend), env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-2000:]
    resumed_after = int(again.stdout.split("resuming after epoch ")[1].split()[0])
    assert resumed_after >= done and "Epoch 1/3" not in again.stdout
    assert json.loads((out / "summary.json").read_text())["epochs"] == 3
    assert not (out / "backup").exists() and not [p for p in out.iterdir() if p.name.startswith(".")]

    a, b = pd.read_csv(tmp_path / "whole" / "history.csv"), pd.read_csv(out / "history.csv")
    assert a["epoch"].tolist() == b["epoch"].tolist() == [1, 2, 3]
    np.testing.assert_allclose(b[COLUMNS].to_numpy(), a[COLUMNS].to_numpy(), atol=1e-5, rtol=0)
    assert json.loads((out / "best.json").read_text())["epoch"] == json.loads(
        (tmp_path / "whole" / "best.json").read_text())["epoch"]
    for wa, wb in zip(best_weights(tmp_path / "whole"), best_weights(out)):
        np.testing.assert_allclose(wb, wa, atol=1e-5, rtol=0)
