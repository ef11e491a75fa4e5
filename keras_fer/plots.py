"""Plots a person would rather look at: training curves and confusion matrices (matplotlib).

Example:
    >>> import pandas as pd, tempfile
    >>> h = pd.DataFrame({"epoch": [1, 2], "loss": [1.5, 1.2], "val_loss": [1.4, 1.3],
    ...                   "accuracy": [.4, .5], "val_accuracy": [.45, .5]})
    >>> fig = plot_history(h, title="demo")
"""

from __future__ import annotations

from typing import Dict, Optional, Sequence

import numpy as np


def _pyplot():
    import matplotlib.pyplot as plt  # headless machines fall back to Agg by themselves

    return plt


def _finish(fig, path=None):
    """Lays the figure out; saves it as a PNG to `path` (and closes it) when given."""
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
        _pyplot().close(fig)
    return fig


def plot_history(history, title: str = "", best_epoch: Optional[int] = None, path=None, axes=None):
    """Loss and accuracy against epoch, train and validation, with the best epoch marked.

    Args:
        history: a DataFrame / dict with "epoch" (1-based) or an index, and "loss", "accuracy",
            "val_loss", "val_accuracy" columns (any may be missing), or a `keras.callbacks.History`.
        title: figure title.
        best_epoch: 1-based epoch to mark (default: the one with the highest val_accuracy).
        path: save the figure here (PNG) when given.
        axes: two matplotlib axes to draw on (default: a new figure).

    Returns:
        The matplotlib figure.
    """
    import pandas as pd
    from matplotlib.ticker import MaxNLocator

    plt = _pyplot()
    if hasattr(history, "history"):
        history = history.history
    frame = pd.DataFrame(history)
    epochs = frame["epoch"].to_numpy() if "epoch" in frame else np.arange(1, len(frame) + 1)
    if best_epoch is None and "val_accuracy" in frame and len(frame):
        best_epoch = int(epochs[int(np.nanargmax(frame["val_accuracy"].to_numpy()))])
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    else:
        fig = axes[0].figure
    for ax, metric in zip(axes, ("loss", "accuracy")):
        for key, label, style in ((metric, "train", "-"), (f"val_{metric}", "validation", "-")):
            if key in frame:
                ax.plot(epochs, frame[key], style, label=label, marker="." if len(frame) < 30 else None)
        if best_epoch is not None:
            ax.axvline(best_epoch, color="grey", linestyle=":", label=f"best epoch {best_epoch}")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if len(epochs):  # whole epochs only, also for a run of one or two
            ax.set_xlim(min(epochs) - 0.5, max(max(epochs), min(epochs) + 1) + 0.5)
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    return _finish(fig, path)


def plot_confusion_matrix(matrix, class_names: Sequence[str], title: str = "", path=None, ax=None):
    """A labelled heat-map of a confusion matrix (rows: true class, columns: predicted).

    Uses scikit-learn's `ConfusionMatrixDisplay`; values print as fractions when the matrix is
    normalised and as counts otherwise.

    Returns:
        The matplotlib figure.
    """
    from sklearn.metrics import ConfusionMatrixDisplay

    plt = _pyplot()
    matrix = np.asarray(matrix)
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.5, 5.5))
    else:
        fig = ax.figure
    normalised = matrix.dtype.kind == "f"
    ConfusionMatrixDisplay(matrix, display_labels=list(class_names)).plot(
        ax=ax, cmap="Blues", values_format=".2f" if normalised else "d", colorbar=True,
        xticks_rotation=45,
    )
    ax.set_title(title)
    return _finish(fig, path)


def plot_histories(histories: Dict[str, object], path=None):
    """Curves of several runs side by side: one row per run (loss | accuracy)."""
    plt = _pyplot()
    fig, axes = plt.subplots(len(histories), 2, figsize=(11, 3.6 * len(histories)), squeeze=False)
    for row, (name, history) in zip(axes, histories.items()):
        plot_history(history, axes=row)
        row[0].set_title(f"{name}: loss")
        row[1].set_title(f"{name}: accuracy")
    return _finish(fig, path)


def plot_emotion_timeline(frames, probabilities, title: str = "", path=None):
    """The probability of each emotion against the frame number of a video, one line per emotion.

    Args:
        frames: frame numbers `[T]`.
        probabilities: `[T, 7]` (NaN where a frame had no face).
        title: the figure's title.
        path: save the figure here (PNG) when given.

    Example:
        >>> import numpy as np
        >>> fig = plot_emotion_timeline([0, 5], np.full((2, 7), 1 / 7))
        >>> len(fig.axes[0].lines)
        7
    """
    from tfds_fer2013 import CLASS_NAMES

    plt = _pyplot()
    probabilities = np.asarray(probabilities)
    fig, ax = plt.subplots(figsize=(10, 4))
    for i, name in enumerate(CLASS_NAMES):
        ax.plot(frames, probabilities[:, i], label=name, linewidth=1.2)
    ax.set(xlabel="frame", ylabel="mean probability over the faces", ylim=(0, 1), title=title)
    ax.legend(ncol=7, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    return _finish(fig, path)
