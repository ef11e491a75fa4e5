"""`ConfusionMatrixLogger` and the confusion-matrix files it (and the CLI) writes."""

from __future__ import annotations

import pathlib
from typing import Optional, Sequence

import keras
import numpy as np

from keras_fer.io import atomic_path

from tfds_fer2013.readers import CLASS_NAMES  # numpy/pandas only: importable on every backend


def predict_labels(model, data, batch_size: int = 256, verbose=0):
    """Predicts `data` and returns `(y_true, y_pred, probabilities)`.

    Args:
        model: a Keras model with class-probability (or logit) outputs.
        data: `(x, y)` arrays, or an iterable of `(x, y)` batches (e.g. a `tf.data.Dataset`).
    """
    if isinstance(data, (tuple, list)) and len(data) == 2:
        x, y = data
        probs = model.predict(x, batch_size=batch_size, verbose=verbose)
        return np.asarray(y).astype(np.int64), probs.argmax(axis=1), probs
    ys, ps = [], []
    for x, y in data:
        ps.append(np.asarray(model.predict_on_batch(x)))
        ys.append(np.asarray(y))
    probs = np.concatenate(ps)
    return np.concatenate(ys).astype(np.int64), probs.argmax(axis=1), probs


def write_confusion_files(
    y_true, y_pred, out_dir, class_names: Sequence[str] = CLASS_NAMES, normalize="true", title=""
):
    """Writes `confusion_matrix.csv`, `confusion_matrix.png` and `per_class.csv` into `out_dir`.

    The matrix comes from scikit-learn's `confusion_matrix` (rows: true, columns: predicted;
    `normalize` as scikit-learn's: "true", "pred", "all" or None for counts); the per-class table
    from `classification_report` (precision, recall, f1-score, support). Each file is atomic.

    Returns:
        `(matrix, per_class)` as pandas DataFrames.

    Example:
        >>> import tempfile
        >>> cm, _ = write_confusion_files([0, 1, 1], [0, 1, 0], tempfile.mkdtemp(), ["a", "b"])
        >>> cm.to_numpy().tolist()
        [[1.0, 0.0], [0.5, 0.5]]
    """
    import pandas as pd
    from sklearn.metrics import classification_report, confusion_matrix

    from keras_fer.plots import plot_confusion_matrix

    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    labels = list(range(len(class_names)))
    matrix = confusion_matrix(y_true, y_pred, labels=labels, normalize=normalize)
    frame = pd.DataFrame(matrix, index=list(class_names), columns=list(class_names))
    frame.index.name = "true \\ predicted"
    report = classification_report(
        y_true, y_pred, labels=labels, target_names=list(class_names), output_dict=True, zero_division=0
    )
    per_class = pd.DataFrame(report).T
    with atomic_path(out_dir / "confusion_matrix.csv") as tmp:
        frame.to_csv(tmp, float_format="%.4f")
    with atomic_path(out_dir / "per_class.csv") as tmp:
        per_class.to_csv(tmp, float_format="%.4f")
    with atomic_path(out_dir / "confusion_matrix.png") as tmp:
        plot_confusion_matrix(matrix, class_names, title=title, path=tmp)
    return frame, per_class


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
