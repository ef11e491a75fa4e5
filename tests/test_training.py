"""keras_fer.training: kill -9 at any moment, rerun, and the run resumes rather than restarts."""

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from keras_fer.training import RunDirError, TrainConfig, train
from tfds_fer2013.testing import write_fer2013_csv


def command(data, out, epochs):
    return [sys.executable, "-m", "keras_fer", "train", "--model", "cnn", "--data", str(data),
            "--epochs", str(epochs), "--batch-size", "16", "--out", str(out)]


def test_sigkill_after_the_first_epoch_then_resume(tmp_path):
    write_fer2013_csv(tmp_path / "fer", n_train=280, n_public=35)
    out = tmp_path / "run"
    env = dict(os.environ, KERAS_FER_CACHE=str(tmp_path / "cache"))
    proc = subprocess.Popen(command(tmp_path / "fer", out, 4), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while not list((out / "backup").glob("epoch-*")) and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "training ended before it could be killed"
    history = pd.read_csv(out / "history.csv")
    done = history["epoch"].max()
    assert 1 <= done < 4
    assert not (out / "summary.json").exists()
    for name in ("config.json", "best.json"):
        json.loads((out / name).read_text())  # complete, parseable

    again = subprocess.run(command(tmp_path / "fer", out, 4), env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-2000:]
    resumed_after = int(again.stdout.split("resuming after epoch ")[1].split()[0])
    assert resumed_after >= done
    assert f"Epoch {resumed_after + 1}/4" in again.stdout and "Epoch 1/4" not in again.stdout
    history = pd.read_csv(out / "history.csv")
    assert history["epoch"].tolist() == [1, 2, 3, 4]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["epochs"] == 4
    assert not (out / "backup").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_refuses_a_folder_that_is_not_a_run(tmp_path):
    write_fer2013_csv(tmp_path / "fer", n_train=14, n_public=7)
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "notes.txt").write_text("mine")
    with pytest.raises(RunDirError, match="not a keras-fer run folder"):
        train(TrainConfig(data=str(tmp_path / "fer"), epochs=1), tmp_path / "run")
    assert (tmp_path / "run" / "notes.txt").read_text() == "mine"


def test_overwrite_replaces_another_configuration(tmp_path):
    write_fer2013_csv(tmp_path / "fer", n_train=14, n_public=7)
    config = TrainConfig(model="dnn", data=str(tmp_path / "fer"), epochs=1, batch_size=7)
    train(config, tmp_path / "run", verbose=0)
    other = TrainConfig(model="dnn", data=str(tmp_path / "fer"), epochs=2, batch_size=7)
    with pytest.raises(RunDirError, match=r"epochs: 1 -> 2"):
        train(other, tmp_path / "run", verbose=0)
    summary = train(other, tmp_path / "run", overwrite=True, verbose=0)
    assert summary["epochs"] == 2
    import keras

    assert keras.mixed_precision.global_policy().name == "float32"  # the caller's policy is restored


@pytest.mark.parametrize("kwargs, message", [
    ({"model": "vgg"}, "model='vgg'"),
    ({"model": "cnn", "param_budget": 100000}, "dnn model only"),
    ({"model": "dnn", "param_budget": "lots"}, "param_budget='lots'"),
    ({"epochs": 0}, "epochs=0"),
    ({"normalize": "minmax"}, "normalize='minmax'"),
    ({"precision": "fp8"}, "precision='fp8'"),
    ({"recipe": "slow"}, "recipe='slow'"),
])
def test_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        TrainConfig(**kwargs).validate()
