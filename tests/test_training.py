"""keras_fer.training: kill -9 at any moment, rerun, and the run resumes rather than restarts."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
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
    ({"match_blur": "sharp"}, "match_blur='sharp'"),
    ({"match_blur": -1}, "match_blur="),
])
def test_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        TrainConfig(**kwargs).validate()


def write_blurred_train_csv(folder, n_train=140, n_public=28, sigma=2.5):
    """fer2013.csv whose Training images are blurred (like ../shared/fer2013) and PublicTest ones not."""
    from keras_fer.domain import gaussian_blur
    from tfds_fer2013.testing import pixels_text, random_faces

    images, labels = random_faces(n_train + n_public, seed=3)
    images = images.astype("float32")
    images[:n_train] = gaussian_blur(images[:n_train], sigma)
    images = np.clip(np.round(images), 0, 255).astype("uint8")
    usage = ["Training"] * n_train + ["PublicTest"] * n_public
    lines = ["emotion,pixels,Usage"] + [f"{l},{pixels_text(i)},{u}" for i, l, u in zip(images, labels, usage)]
    folder.mkdir(parents=True)
    (folder / "fer2013.csv").write_text("\n".join(lines) + "\n")


def test_match_blur_auto_finds_a_blurred_training_split_and_saves_the_blur(tmp_path, capsys):
    import keras

    write_blurred_train_csv(tmp_path / "fer")
    cfg = TrainConfig(model="dnn", data=str(tmp_path / "fer"), epochs=1, batch_size=32)
    summary = train(cfg, tmp_path / "run", verbose=0)
    assert "much blurrier than public_test" in capsys.readouterr().err
    assert 2.0 <= summary["inference_blur"] <= 3.0
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["domain"]["mismatch"] and config["inference_blur"] == summary["inference_blur"]
    model = keras.saving.load_model(tmp_path / "run" / "best.keras")
    assert model.get_layer("inference_blur").sigma == summary["inference_blur"]

    off = train(TrainConfig(model="dnn", data=str(tmp_path / "fer"), epochs=1, batch_size=32, match_blur="off"),
                tmp_path / "run-off", verbose=0)
    assert off["inference_blur"] == 0.0
    assert "inference_blur" not in [l.name for l in keras.saving.load_model(tmp_path / "run-off" / "best.keras").layers]


def test_a_resumed_run_keeps_the_blur_it_started_with(tmp_path, monkeypatch):
    import keras_fer.training as training

    write_blurred_train_csv(tmp_path / "fer")
    cfg = TrainConfig(model="dnn", data=str(tmp_path / "fer"), epochs=1, batch_size=32)
    train(cfg, tmp_path / "run", verbose=0)
    # as if interrupted before the end, with a blur of its own recorded when it started
    (tmp_path / "run" / "summary.json").unlink()
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    (tmp_path / "run" / "config.json").write_text(json.dumps(dict(config, inference_blur=1.25)))

    def no_second_estimate(*args, **kwargs):
        raise AssertionError("the blur was estimated again on resume")

    monkeypatch.setattr(training, "resolve_blur", no_second_estimate)
    summary = train(cfg, tmp_path / "run", verbose=0)
    assert summary["inference_blur"] == 1.25
    assert json.loads((tmp_path / "run" / "config.json").read_text())["domain"] == config["domain"]
