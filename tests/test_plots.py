"""keras_fer.plots: curves and confusion matrices render to PNG with the expected content."""

import numpy as np
import pandas as pd

from keras_fer import CLASS_NAMES
from keras_fer.plots import plot_confusion_matrix, plot_histories, plot_history

HISTORY = pd.DataFrame({"epoch": [1, 2, 3], "loss": [1.8, 1.5, 1.3], "val_loss": [1.7, 1.4, 1.45],
                        "accuracy": [0.3, 0.45, 0.5], "val_accuracy": [0.35, 0.5, 0.48]})


def test_history_marks_the_best_epoch(tmp_path):
    fig = plot_history(HISTORY, title="t")
    loss_ax, acc_ax = fig.axes
    assert [l.get_label() for l in acc_ax.get_lines()] == ["train", "validation", "best epoch 2"]
    assert acc_ax.get_lines()[2].get_xdata()[0] == 2
    plot_history(HISTORY, path=tmp_path / "c.png")
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"


def test_confusion_matrix_is_labelled(tmp_path):
    m = np.eye(7) * 0.7 + 0.05
    fig = plot_confusion_matrix(m, CLASS_NAMES, title="cm")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(CLASS_NAMES)
    assert "0.75" in [t.get_text() for t in ax.texts]
    plot_histories({"a": HISTORY, "b": HISTORY}, path=tmp_path / "h.png")
    assert (tmp_path / "h.png").stat().st_size > 1000
