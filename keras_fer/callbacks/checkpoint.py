"""`BestModelCheckpoint`: keep the best model as one `.keras` file, written atomically, with a JSON."""

from __future__ import annotations

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
        mode: "max", "min", or "auto" (max for accuracies and AUC, min otherwise).
        resume: start from the value recorded in the JSON beside an existing `filepath`.

    Example:
        >>> cb = BestModelCheckpoint("best.keras", resume=False)
        >>> cb.monitor, cb.mode, cb.best
        ('val_accuracy', 'max', -inf)
    """

    def __init__(self, filepath, monitor="val_accuracy", mode="auto", resume=True):
        super().__init__()
        self.filepath = pathlib.Path(filepath)
        self.info_path = self.filepath.with_suffix(".json")
        self.monitor = monitor
        if mode == "auto":
            mode = "max" if ("acc" in monitor or monitor.endswith("auc")) else "min"
        if mode not in ("max", "min"):
            raise ValueError(f"mode={mode!r}: expected 'auto', 'max' or 'min'")
        self.mode = mode
        self.best = -math.inf if mode == "max" else math.inf
        self.best_info = None
        if resume and self.filepath.is_file() and self.info_path.is_file():
            info = json.loads(self.info_path.read_text())
            if info.get("monitor") == monitor:
                self.best, self.best_info = float(info["value"]), info

    def on_epoch_end(self, epoch, logs=None):
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


def _is_number(value) -> bool:
    try:
        float(value)
        return True
    except (TypeError, ValueError):
        return False
