"""`BestModelCheckpoint`: Keras' `ModelCheckpoint` that writes the best model atomically, with a JSON."""

from __future__ import annotations

import json
import pathlib
import time

import keras

from keras_fer.io import atomic_path, write_json


class BestModelCheckpoint(keras.callbacks.ModelCheckpoint):
    """Keeps the best model as one `.keras` file, never half-written, with `<name>.json` beside it.

    The model is saved to a temporary file and renamed over `filepath`; then the JSON (epoch,
    monitor, value, time) is written the same way. When `resume=True` and both files exist, the
    best value is read back, so an interrupted run that resumes does not overwrite a better model.

    Args:
        filepath: the `.keras` file to keep.
        monitor: the metric to watch (default "val_accuracy"; mode is inferred).
        resume: start from the value recorded in the JSON beside an existing `filepath`.
        **kwargs: other `keras.callbacks.ModelCheckpoint` arguments (`mode`, `verbose`, ...).

    Example:
        >>> cb = BestModelCheckpoint("/tmp/keras_fer_doctest/best.keras")
        >>> cb.monitor, cb.save_best_only
        ('val_accuracy', True)
    """

    def __init__(self, filepath, monitor="val_accuracy", resume=True, **kwargs):
        kwargs.setdefault("save_best_only", True)
        path = pathlib.Path(filepath)
        self.info_path = path.with_suffix(".json")
        previous = None
        if resume and path.is_file() and self.info_path.is_file():
            info = json.loads(self.info_path.read_text())
            if info.get("monitor") == monitor:
                previous = info
        if previous is not None:
            kwargs.setdefault("initial_value_threshold", float(previous["value"]))
        super().__init__(str(path), monitor=monitor, **kwargs)
        self.best_info = previous

    def _save_model(self, epoch, batch, logs):
        filepath = self._get_file_path(epoch, batch, logs)
        if not self._should_save_model(epoch, batch, logs, filepath):
            return
        with atomic_path(filepath) as tmp:
            if self.save_weights_only:
                self.model.save_weights(tmp, overwrite=True)
            else:
                self.model.save(tmp, overwrite=True)
        self.best_info = {
            "epoch": epoch + 1,
            "monitor": self.monitor,
            "value": float(self.best),
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
