"""benchmarks/gpu_study.py: pack, unpack and a tiny study under JAX on the CPU (the GPU run's rehearsal)."""

import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from keras_fer import data
from tfds_fer2013.testing import write_fer2013_csv

SCRIPT = pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "gpu_study.py"
sys.path.insert(0, str(SCRIPT.parent))
import gpu_study  # noqa: E402
from no_tensorflow import BLOCK_TENSORFLOW  # noqa: E402


def test_pack_unpack_round_trip(tmp_path):
    write_fer2013_csv(tmp_path / "fer", n_train=30, n_public=10)
    packed = gpu_study.pack(tmp_path / "fer", tmp_path / "fer.npz.xz")
    folder = gpu_study.unpack(packed, tmp_path / "back")
    for split in ("train", "public_test"):
        a, b = data.arrays(split, manual_dir=tmp_path / "fer"), data.arrays(split, manual_dir=folder)
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


@pytest.mark.slow(seconds=15)
def test_a_tiny_study_under_jax_writes_run_folders_and_a_report(tmp_path):
    write_fer2013_csv(tmp_path / "fer", n_train=120, n_public=20)
    gpu_study.pack(tmp_path / "fer", tmp_path / "fer.npz.xz")
    # as on the GPU machine, which has no TensorFlow: the script and the processes it starts (a sitecustomize
    # module on PYTHONPATH runs first in each) cannot import it
    (tmp_path / "no_tf").mkdir()
    (tmp_path / "no_tf" / "sitecustomize.py").write_text(BLOCK_TENSORFLOW)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(tmp_path / "no_tf"), os.environ.get("PYTHONPATH")])))
    done = subprocess.run([sys.executable, str(SCRIPT), "run", "--packed", str(tmp_path / "fer.npz.xz"), "--out",
                           str(tmp_path / "study"), "--limit", "64", "--epochs", "1", "--parallel", "2",
                           "--only", "dnn-match-cnn"], capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    for run in ("dnn-match-cnn",):
        summary = json.loads((tmp_path / "study" / run / "summary.json").read_text())
        assert summary["backend"] == "jax" and summary["selected_on"] == "validation" and summary["epochs"] == 1
    assert (tmp_path / "study" / "report" / "report.md").is_file()
    assert "public_test (once)" in (tmp_path / "study" / "study.md").read_text()
