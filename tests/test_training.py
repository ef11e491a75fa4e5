"""keras_fer.training: run folders refused, replaced, locked; the data a run resumes on. (Killed with
SIGKILL and resumed: tests/test_resume_exact.py.)"""

import json
import subprocess
import sys

import keras
import numpy as np
import pytest

from keras_fer.training import RunDirError, TrainConfig, train
from tfds_fer2013.testing import write_fer2013_csv


def test_refuses_a_folder_that_is_not_a_run(tmp_path):
    write_fer2013_csv(tmp_path / "fer", n_train=14, n_public=7)
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "notes.txt").write_text("mine")
    with pytest.raises(RunDirError, match="not a keras-fer run folder"):
        train(TrainConfig(data=str(tmp_path / "fer"), epochs=1), tmp_path / "run")
    assert (tmp_path / "run" / "notes.txt").read_text() == "mine"


@pytest.mark.slow(seconds=6)
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
    ({"model": "resnet"}, "model='resnet'"),
    ({"model": "cnn", "param_budget": 100000}, "dnn model only"),
    ({"model": "dnn", "param_budget": "lots"}, "param_budget='lots'"),
    ({"epochs": 0}, "epochs=0"),
    ({"normalize": "minmax"}, "normalize='minmax'"),
    ({"precision": "fp8"}, "precision='fp8'"),
    ({"recipe": "slow"}, "recipe='slow'"),
    ({"devices": 0}, "devices=0: expected a positive integer or 'all'"),
    ({"devices": "two"}, "devices='two'"),
    ({"devices": True}, "devices=True"),
])
def test_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        TrainConfig(**kwargs).validate()


def test_devices_as_given_by_a_command_line_or_json():
    assert [TrainConfig(devices=d).validate().devices for d in (None, "all", 2, "2")] == [None, "all", 2, 2]


def write_blurred_train_csv(folder, n_train=300, n_public=300):
    """fer2013.csv whose Training images are 2x2 box-blurred and PublicTest ones not."""
    from tfds_fer2013.testing import pixels_text, random_faces

    images, labels = random_faces(n_train + n_public, seed=3)
    images = images.astype("float32")
    t = images[:n_train]
    images[:n_train] = (t + np.roll(t, 1, 1) + np.roll(t, 1, 2) + np.roll(t, (1, 1), (1, 2))) / 4
    images = np.clip(np.round(images), 0, 255).astype("uint8")
    usage = ["Training"] * n_train + ["PublicTest"] * n_public
    lines = ["emotion,pixels,Usage"] + [f"{l},{pixels_text(i)},{u}" for i, l, u in zip(images, labels, usage)]
    folder.mkdir(parents=True)
    (folder / "fer2013.csv").write_text("\n".join(lines) + "\n")


def test_a_blurred_training_split_gets_one_warning_line(tmp_path, capsys):
    write_blurred_train_csv(tmp_path / "fer")
    train(TrainConfig(model="dnn", data=str(tmp_path / "fer"), epochs=1, batch_size=64), tmp_path / "run", verbose=0)
    lines = [l for l in capsys.readouterr().err.splitlines() if "blurrier than public_test" in l]
    assert len(lines) == 1 and "variance of the Laplacian" in lines[0]


class CountTraces(keras.callbacks.Callback):
    """Counts how often the model's train step is traced (a traced step runs its Python once)."""

    traces = 0

    def set_model(self, model):  # fit calls this before it makes the train function
        super().set_model(model)
        step = model.train_step

        def counted(*args, **kwargs):
            self.traces += 1
            return step(*args, **kwargs)

        model.train_step = counted


def test_alike_splits_give_no_warning_and_the_train_step_is_traced_once(tmp_path, capsys):
    write_fer2013_csv(tmp_path / "fer", n_train=64, n_public=32)
    count = CountTraces()
    train(TrainConfig(model="dnn", data=str(tmp_path / "fer"), epochs=2, batch_size=16), tmp_path / "run", verbose=0,
          callbacks=[count])
    assert "blurrier" not in capsys.readouterr().err
    # the optimizer is built before the first step: TensorFlow does not trace the step again without its variables
    assert count.traces == 1




def test_resume_on_other_data_is_refused_naming_both(tmp_path):
    write_fer2013_csv(tmp_path / "fer", n_train=28, n_public=14)
    cfg = TrainConfig(model="dnn", data=str(tmp_path / "fer"), epochs=1, batch_size=32)
    train(cfg, tmp_path / "run", verbose=0)
    (tmp_path / "run" / "summary.json").unlink()  # as if interrupted
    old = json.loads((tmp_path / "run" / "config.json").read_text())["settings"]["data_fingerprint"]
    write_fer2013_csv(tmp_path / "fer", n_train=28, n_public=14, seed=9)  # the same size, other pixels
    with pytest.raises(RunDirError, match="data_fingerprint") as info:
        train(cfg, tmp_path / "run", verbose=0)
    from keras_fer.data import fingerprint

    assert old["sha256"] in str(info.value) and fingerprint(tmp_path / "fer")["sha256"] in str(info.value)


def test_a_second_trainer_refuses_while_the_first_holds_the_folder(tmp_path):
    from keras_fer import rundir

    write_fer2013_csv(tmp_path / "fer", n_train=28, n_public=14)
    cfg = TrainConfig(model="dnn", data=str(tmp_path / "fer"), epochs=1, batch_size=32)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time, pathlib; from keras_fer import rundir\n"
        f"with rundir.lock(pathlib.Path({str(tmp_path / 'run')!r})):\n"
        "    print('locked', flush=True); time.sleep(60)")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(RunDirError, match=f"in use by PID {holder.pid}"):
            train(cfg, tmp_path / "run", verbose=0)
    finally:
        holder.kill()
        holder.wait()
    # the holder was killed: its lock file is left, and taken over
    assert (tmp_path / "run" / rundir.LOCK).exists()
    assert train(cfg, tmp_path / "run", verbose=0)["epochs"] == 1
