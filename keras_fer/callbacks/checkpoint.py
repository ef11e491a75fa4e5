"""`BestModelCheckpoint`: keep the best model as one `.keras` file, written atomically, with a JSON."""

from __future__ import annotations

from keras_fer.errors import ConfigError

import json
import math
import pathlib
import time

import keras

from keras_fer.io import atomic_path, write_json


def functional_twin(model):
    """A plain `keras.Model` over the same layers and weights as `model` (itself when not functional).

    Saved, it loads with `keras.saving.load_model` in a process that never imported keras_fer
    (as long as its layers are Keras' own), and carries no optimizer state.
    """
    try:
        inputs, outputs = model.inputs, model.outputs
        return keras.Model(inputs[0] if len(inputs) == 1 else inputs, outputs[0] if len(outputs) == 1 else outputs,
                           name=model.name)
    except (AttributeError, ValueError, TypeError):  # a subclassed model has no symbolic inputs
        return model


class BestModelCheckpoint(keras.callbacks.Callback):
    """Keeps the best model as one `.keras` file, never half-written, with `<name>.json` beside it.

    At the end of each epoch where `monitor` improved, the model (as its `functional_twin`: Keras'
    own classes only, no optimizer) is saved to a temporary file and renamed over `filepath`; then the
    JSON (epoch, monitor, value, metrics, time) is written the same way. With `resume=True` the best
    value is read back from an existing JSON, so a resumed run never overwrites a better model.

    Args:
        filepath: the `.keras` file to keep.
        monitor: the metric to watch (default "val_accuracy").
        mode: "max", "min", or "auto": decided when training starts by Keras' own rule (a loss falls; a
            compiled metric of that name rises or falls as its `_direction` says; anything else is
            an error asking for a mode), at the first epoch's end.
        resume: start from the value recorded in the JSON beside an existing `filepath`.

    Example:
        >>> cb = BestModelCheckpoint("best.keras", mode="max", resume=False)
        >>> cb.monitor, cb.mode
        ('val_accuracy', 'max')
    """

    def __init__(self, filepath, monitor="val_accuracy", mode="auto", resume=True):
        super().__init__()
        self.filepath = pathlib.Path(filepath)
        self.info_path = self.filepath.with_suffix(".json")
        self.monitor = monitor
        if mode not in ("auto", "max", "min"):
            raise ConfigError(f"mode={mode!r}: expected 'auto', 'max' or 'min'")
        self.mode = mode
        self.best = None
        self.best_info = None
        if resume and self.filepath.is_file() and self.info_path.is_file():
            info = json.loads(self.info_path.read_text())
            if info.get("monitor") == monitor:
                self.best, self.best_info = float(info["value"]), info

    def on_epoch_end(self, epoch, logs=None):
        if self.mode == "auto":  # now, as Keras does: compiled metrics are built by the first batch
            self.mode = monitor_mode(self.model, self.monitor)
        if self.best is None:
            self.best = -math.inf if self.mode == "max" else math.inf
        value = (logs or {}).get(self.monitor)
        if value is None:
            raise KeyError(f"BestModelCheckpoint: no {self.monitor!r} in the epoch's logs {sorted(logs or {})}")
        value = float(value)
        if not (value > self.best if self.mode == "max" else value < self.best):
            return
        with atomic_path(self.filepath) as tmp:
            functional_twin(self.model).save(tmp, overwrite=True)
        self.best = value
        self.best_info = {
            "epoch": epoch + 1,
            "monitor": self.monitor,
            "value": value,
            "metrics": {k: float(v) for k, v in (logs or {}).items() if _is_number(v)},
            "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        write_json(self.info_path, self.best_info)


def monitor_mode(model, monitor: str) -> str:
    """"max" or "min" for `monitor` by Keras' rule (`keras.callbacks.ModelCheckpoint(mode="auto")`): a loss
    falls; a metric the model was compiled with rises or falls as its `_direction` says.

    Raises:
        ValueError: neither applies (pass the mode yourself).
    """
    name = monitor.removeprefix("val_")
    if name == "loss" or name.endswith("_loss"):
        return "min"
    metrics = []
    for m in getattr(model, "metrics", []):
        metrics.extend(getattr(m, "metrics", None) or [m])  # compiled metrics sit inside a container
    for m in metrics:
        if m.name == name and getattr(m, "_direction", None) in ("up", "down"):
            return "max" if m._direction == "up" else "min"
    raise ConfigError(f"BestModelCheckpoint: cannot tell whether {monitor!r} should rise or fall (no compiled "
                     f"metric of that name says); pass mode='max' or mode='min'")


def _is_number(value) -> bool:
    try:
        float(value)
        return True
    except (TypeError, ValueError):
        return False
