"""`HistoryCSV`: one row per epoch (metrics, wall time, images/s), the CSV rewritten atomically."""

from __future__ import annotations

import pathlib
import time

import keras

from keras_fer.io import write_text


class HistoryCSV(keras.callbacks.Callback):
    """Keeps one row per epoch (metrics, wall time, training images/s); rewrites the CSV atomically.

    Unlike Keras' `CSVLogger`, which appends in place, the file is never half-written, and after a
    resume it holds exactly the finished epochs (the rows travel with the backup).
    """

    def __init__(self, path, n_train: int, backup=None):
        super().__init__()
        self.path, self.n_train, self.backup, self.rows = pathlib.Path(path), n_train, backup, []

    def on_train_begin(self, logs=None):
        self._restored = False

    def on_epoch_begin(self, epoch, logs=None):
        if not self._restored:  # the backup restores in its own on_train_begin, which may run later
            self.rows = list(self.backup.restored_state.get("history", [])) if self.backup else []
            self._restored = True
        self._t0, self._test = time.perf_counter(), 0.0

    def on_test_begin(self, logs=None):
        self._t_test = time.perf_counter()

    def on_test_end(self, logs=None):
        self._test += time.perf_counter() - self._t_test

    def on_epoch_end(self, epoch, logs=None):
        import pandas as pd

        wall = time.perf_counter() - self._t0
        row = {"epoch": epoch + 1, **{k: float(v) for k, v in (logs or {}).items()}}
        row.update(epoch_seconds=wall, train_images_per_second=self.n_train / max(wall - self._test, 1e-9))
        self.rows = [r for r in self.rows if r["epoch"] < epoch + 1] + [row]
        write_text(self.path, pd.DataFrame(self.rows).to_csv(index=False, float_format="%.6g"))
