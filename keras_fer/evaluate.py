"""One evaluation path: predictions of a model or an ensemble, accuracy, loss, per-class metrics and
confusion files. Training, `keras-fer evaluate`/`predict`, the report and precise BN all use it.

Example:
    >>> import numpy as np, keras
    >>> model = keras.Sequential([keras.Input((48, 48, 1)), keras.layers.Flatten(),
    ...                           keras.layers.Dense(7, activation="softmax")])
    >>> result = evaluate(model, (np.zeros((4, 48, 48, 1), "float32"), np.array([0, 1, 2, 3])))
    >>> result.probabilities.shape, 0.0 <= result.accuracy <= 1.0
    ((4, 7), True)
"""

from __future__ import annotations

from keras_fer.errors import ConfigError

import dataclasses
import pathlib
from typing import Optional, Sequence

import numpy as np

from keras_fer.io import atomic_path
from tfds_fer2013 import CLASS_NAMES


def as_model(models):
    """A model, or one model averaging several (`keras_fer.models.ensemble`); the same model back if
    given one (alone or in a list)."""
    if isinstance(models, (list, tuple)):
        if len(models) == 1:
            return models[0]
        from keras_fer.models.ensemble import ensemble

        return ensemble(models)
    return models


def predict(models, data, batch_size: int = 256, verbose=0):
    """Class probabilities of `data` by a model or the ensemble of several.

    Args:
        models: a Keras model, or a list of them (their probabilities averaged).
        data: images `[N, 48, 48, 1]`, `(x, y)` arrays, or an iterable of `(x, y)` batches (a
            `tf.data.Dataset`).
        batch_size, verbose: as `Model.predict` (arrays only).

    Returns:
        `(y_true or None, probabilities [N, classes])`.
    """
    model = as_model(models)
    if isinstance(data, np.ndarray):
        return None, np.asarray(model.predict(data, batch_size=batch_size, verbose=verbose))
    if isinstance(data, (tuple, list)) and len(data) == 2:
        x, y = data
        return (np.asarray(y).astype(np.int64),
                np.asarray(model.predict(np.asarray(x), batch_size=batch_size, verbose=verbose)))
    ys, ps = [], []
    for x, y in data:
        ps.append(np.asarray(model.predict_on_batch(x)))
        ys.append(np.asarray(y))
    return np.concatenate(ys).astype(np.int64), np.concatenate(ps)


@dataclasses.dataclass
class Evaluation:
    """Labels and predicted probabilities of one model (or ensemble) on one set of images."""

    y_true: np.ndarray
    probabilities: np.ndarray
    class_names: Sequence[str] = CLASS_NAMES

    @property
    def y_pred(self) -> np.ndarray:
        return self.probabilities.argmax(axis=1)

    @property
    def accuracy(self) -> float:
        return float(np.mean(self.y_pred == self.y_true))

    @property
    def labels(self):
        return list(range(len(self.class_names)))

    @property
    def loss(self) -> float:
        """Cross-entropy of the probabilities (scikit-learn's `log_loss`)."""
        from sklearn.metrics import log_loss

        return float(log_loss(self.y_true, np.clip(self.probabilities, 1e-7, 1.0), labels=self.labels))

    def report(self, digits: int = 4) -> str:
        """scikit-learn's `classification_report` as text."""
        from sklearn.metrics import classification_report

        return classification_report(self.y_true, self.y_pred, labels=self.labels,
                                     target_names=list(self.class_names), zero_division=0, digits=digits)

    def per_class(self):
        """Precision, recall, f1-score and support per class (and averages), a DataFrame."""
        return per_class_table(self.y_true, self.y_pred, self.class_names)

    def confusion(self, normalize: Optional[str] = "true"):
        """The confusion matrix (rows: true, columns: predicted), a DataFrame; `normalize` as scikit-learn's."""
        return confusion_table(self.y_true, self.y_pred, self.class_names, normalize)

    def write(self, out_dir, title: str = "", normalize: Optional[str] = "true"):
        """`confusion_matrix.csv/.png` and `per_class.csv` into `out_dir` (see `write_confusion_files`)."""
        return write_confusion_files(self.y_true, self.y_pred, out_dir, self.class_names, normalize, title)


def evaluate(models, data, batch_size: int = 256, verbose=0, class_names: Sequence[str] = CLASS_NAMES) -> Evaluation:
    """Evaluates a model (or the ensemble of several) on labelled `data` (see `predict`)."""
    y_true, probabilities = predict(models, data, batch_size, verbose)
    if y_true is None:
        raise ConfigError("evaluate: the data has no labels; give (x, y) or batches of (x, y)")
    return Evaluation(y_true, probabilities, class_names)


def predict_labels(model, data, batch_size: int = 256, verbose=0):
    """`(y_true, y_pred, probabilities)` of a model on labelled `data` (see `evaluate`)."""
    result = evaluate(model, data, batch_size, verbose)
    return result.y_true, result.y_pred, result.probabilities


def confusion_table(y_true, y_pred, class_names: Sequence[str] = CLASS_NAMES, normalize: Optional[str] = "true"):
    import pandas as pd
    from sklearn.metrics import confusion_matrix

    matrix = confusion_matrix(y_true, y_pred, labels=list(range(len(class_names))), normalize=normalize)
    frame = pd.DataFrame(matrix, index=list(class_names), columns=list(class_names))
    frame.index.name = "true \\ predicted"
    return frame


def per_class_table(y_true, y_pred, class_names: Sequence[str] = CLASS_NAMES):
    import pandas as pd
    from sklearn.metrics import classification_report

    report = classification_report(y_true, y_pred, labels=list(range(len(class_names))),
                                   target_names=list(class_names), output_dict=True, zero_division=0)
    return pd.DataFrame(report).T


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
    from keras_fer.plots import plot_confusion_matrix

    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    frame = confusion_table(y_true, y_pred, class_names, normalize)
    per_class = per_class_table(y_true, y_pred, class_names)
    with atomic_path(out_dir / "confusion_matrix.csv") as tmp:
        frame.to_csv(tmp, float_format="%.4f")
    with atomic_path(out_dir / "per_class.csv") as tmp:
        per_class.to_csv(tmp, float_format="%.4f")
    with atomic_path(out_dir / "confusion_matrix.png") as tmp:
        plot_confusion_matrix(frame.to_numpy(), class_names, title=title, path=tmp)
    return frame, per_class
