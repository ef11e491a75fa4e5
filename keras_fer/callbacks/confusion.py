"""`ConfusionMatrixLogger`: the confusion-matrix files of `keras_fer.evaluate`, every few epochs."""

from __future__ import annotations

import pathlib
from typing import Optional

import keras
import numpy as np

from keras_fer.evaluate import predict_labels, write_confusion_files  # noqa: F401  (also exported here)
from tfds_fer2013.readers import CLASS_NAMES  # numpy/pandas only: importable on every backend


class ConfusionMatrixLogger(keras.callbacks.Callback):
    """Writes the confusion matrix of `data` every `every` epochs and at the end of training.

    Files go to `log_dir/epoch_NNN/` and `log_dir/final/`: `confusion_matrix.csv` and `.png`
    (labelled heat-map) and `per_class.csv` (precision/recall/f1/support). Where TensorFlow and
    TensorBoard are installed the heat-map is also written as a TensorBoard image under `log_dir/tensorboard`.

    Args:
        data: `(x, y)` arrays or an iterable of `(x, y)` batches (a `tf.data.Dataset`).
        log_dir: where the files go.
        class_names: names of the classes, in label order.
        every: write every `every` epochs (0: only at the end of training).
        normalize: as scikit-learn's `confusion_matrix` ("true", "pred", "all" or None).

    Example:
        >>> import numpy as np, tempfile
        >>> cb = ConfusionMatrixLogger((np.zeros((2, 48, 48, 1)), np.array([0, 1])), tempfile.mkdtemp())
    """

    def __init__(self, data, log_dir, class_names=CLASS_NAMES, every: int = 1, normalize: Optional[str] = "true"):
        super().__init__()
        self.data = data
        self.log_dir = pathlib.Path(log_dir)
        self.class_names = list(class_names)
        self.every = int(every)
        self.normalize = normalize
        self.last_matrix = None

    def _log(self, tag: str, step: int):
        y_true, y_pred, _ = predict_labels(self.model, self.data)
        title = f"{self.model.name}, {tag.replace('_', ' ')} (accuracy {np.mean(y_true == y_pred):.3f})"
        self.last_matrix, _ = write_confusion_files(
            y_true, y_pred, self.log_dir / tag, self.class_names, self.normalize, title
        )
        self._tensorboard(self.log_dir / tag / "confusion_matrix.png", step)

    def _tensorboard(self, png: pathlib.Path, step: int):
        try:
            import tensorboard  # noqa: F401  (tf.summary.image needs it)
            import tensorflow as tf
        except ImportError:
            return
        image = tf.io.decode_png(tf.io.read_file(str(png)), channels=4)[None]
        writer = tf.summary.create_file_writer(str(self.log_dir / "tensorboard"))
        with writer.as_default():
            tf.summary.image("confusion_matrix", image, step=step)
        writer.close()

    def on_epoch_end(self, epoch, logs=None):
        if self.every and (epoch + 1) % self.every == 0:
            self._log(f"epoch_{epoch + 1:03d}", epoch + 1)

    def on_train_end(self, logs=None):
        self._log("final", 10**6)
