"""keras_fer.callbacks.BestModelCheckpoint: keeps the best epoch, atomically, and resumes its best."""

import json

import numpy as np
import pytest

import keras
from keras_fer.callbacks import BestModelCheckpoint


class ScriptedValAccuracy(keras.callbacks.Callback):
    """Overwrites logs['val_accuracy'] with a scripted sequence (placed before the checkpoint)."""

    def __init__(self, values):
        super().__init__()
        self.values = values

    def on_epoch_end(self, epoch, logs=None):
        logs["val_accuracy"] = self.values[epoch]


def tiny_model():
    inputs = keras.Input((4,))
    return keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(inputs))


def fit(model, callbacks, epochs):
    x = np.random.default_rng(0).normal(size=(16, 4)).astype("float32")
    y = np.arange(16) % 2
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=epochs, verbose=0, validation_data=(x, y), callbacks=callbacks)


def test_keeps_the_best_epoch_when_accuracy_goes_down_later(tmp_path):
    path = tmp_path / "best.keras"
    model = tiny_model()
    snapshots = {}

    class Snapshot(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            snapshots[epoch + 1] = [w.copy() for w in self.model.get_weights()]

    fit(model, [ScriptedValAccuracy([0.3, 0.6, 0.5, 0.4]), Snapshot(), BestModelCheckpoint(path)], epochs=4)
    info = json.loads(path.with_suffix(".json").read_text())
    assert info["epoch"] == 2 and info["value"] == 0.6 and info["monitor"] == "val_accuracy"
    saved = keras.saving.load_model(path).get_weights()
    for a, b in zip(saved, snapshots[2]):
        np.testing.assert_array_equal(a, b)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best.json", "best.keras"]  # no temporary file left


def test_resume_starts_from_the_recorded_best(tmp_path):
    path = tmp_path / "best.keras"
    fit(tiny_model(), [ScriptedValAccuracy([0.7]), BestModelCheckpoint(path)], epochs=1)
    before = path.stat().st_mtime_ns
    cb = BestModelCheckpoint(path)  # resume=True by default
    assert cb.best == 0.7
    fit(tiny_model(), [ScriptedValAccuracy([0.5, 0.65]), cb], epochs=2)
    assert path.stat().st_mtime_ns == before  # worse epochs after a resume do not overwrite it
    fresh = BestModelCheckpoint(path, resume=False)
    fit(tiny_model(), [ScriptedValAccuracy([0.5]), fresh], epochs=1)
    assert json.loads(path.with_suffix(".json").read_text())["value"] == 0.5


def test_a_failed_save_leaves_the_previous_best(tmp_path, monkeypatch):
    path = tmp_path / "best.keras"
    model = tiny_model()
    fit(model, [ScriptedValAccuracy([0.5]), BestModelCheckpoint(path)], epochs=1)
    good = path.read_bytes()

    def broken_save(self, filepath, *args, **kwargs):
        with open(filepath, "wb") as f:
            f.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(keras.Model, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        fit(model, [ScriptedValAccuracy([0.9]), BestModelCheckpoint(path)], epochs=1)
    assert path.read_bytes() == good
    assert not list(tmp_path.glob(".*tmp*"))


def test_mode_follows_the_metric_and_a_missing_metric_is_named(tmp_path):
    cb = BestModelCheckpoint(tmp_path / "b.keras", monitor="val_loss")
    fit(tiny_model(), [cb], epochs=2)
    assert cb.mode == "min"
    assert cb.best == json.loads((tmp_path / "b.json").read_text())["value"] < float("inf")
    with pytest.raises(KeyError, match="no 'val_auc'"):
        fit(tiny_model(), [BestModelCheckpoint(tmp_path / "c.keras", monitor="val_auc", mode="max")], epochs=1)


def test_auto_mode_is_keras_rule_f1_rises_and_an_unknown_metric_asks_for_a_mode(tmp_path):
    import numpy as np

    from keras_fer.callbacks.checkpoint import monitor_mode

    model = tiny_model()
    model.compile("sgd", "categorical_crossentropy", metrics=["accuracy", keras.metrics.F1Score(average="macro", name="f1_score")])
    x = np.zeros((4, 4), "float32")
    y = keras.utils.to_categorical([0, 1, 0, 1], 2)
    cb = BestModelCheckpoint(tmp_path / "f1.keras", monitor="val_f1_score")
    model.fit(x, y, epochs=1, verbose=0, validation_data=(x, y), callbacks=[cb])
    assert cb.mode == "max" and (tmp_path / "f1.keras").is_file()  # the substring rule said "min"
    assert monitor_mode(model, "val_f1_score") == "max"
    assert monitor_mode(model, "val_accuracy") == "max" and monitor_mode(model, "val_loss") == "min"
    with pytest.raises(ValueError, match="pass mode='max' or mode='min'"):
        monitor_mode(model, "val_sharpness")
