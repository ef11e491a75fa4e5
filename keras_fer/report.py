"""`write_report`: the course report's four questions answered from run folders, as `report.md` + PNGs.

Example:
    >>> from keras_fer.report import write_report
    >>> write_report(["runs/cnn", "runs/dnn"], "reports/study")   # doctest: +SKIP
"""

from __future__ import annotations

import json
import pathlib
from typing import List, Optional, Sequence

import numpy as np
import pandas as pd

from keras_fer.io import atomic_path, write_text

SETTINGS_SHOWN = ("recipe", "optimizer", "learning_rate", "batch_size", "epochs", "normalize", "augment",
                  "precision", "seed")


class Run:
    """One finished run folder, read back."""

    def __init__(self, folder):
        self.folder = pathlib.Path(folder)
        missing = [n for n in ("config.json", "summary.json", "history.csv", "best.keras") if not (self.folder / n).is_file()]
        if missing:
            raise FileNotFoundError(
                f"{self.folder}: not a finished keras-fer run (missing {', '.join(missing)}); "
                "train it to the end first (the same command resumes it)"
            )
        self.name = self.folder.name
        self.settings = json.loads((self.folder / "config.json").read_text())["settings"]
        self.summary = json.loads((self.folder / "summary.json").read_text())
        self.history = pd.read_csv(self.folder / "history.csv")
        self._model = None

    @property
    def model(self):
        if self._model is None:
            import keras

            self._model = keras.saving.load_model(self.folder / "best.keras", compile=False)
        return self._model

    def architecture(self) -> str:
        """The model's layers as a markdown table (layer, type, output shape, parameters) with the totals
        of the model alone (no optimizer state)."""
        model = self.model
        table = pd.DataFrame([{"layer": layer.name, "type": type(layer).__name__,
                               "output shape": str(tuple(layer.output.shape)), "Param #": f"{layer.count_params():,}"}
                              for layer in model.layers])
        trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
        return (table.to_markdown(index=False) + f"\n\nTotal params: {model.count_params():,} "
                f"(trainable {trainable:,}, non-trainable {model.count_params() - trainable:,})")


def most_frequent_confusions(matrix: pd.DataFrame, top: int = 5) -> List[str]:
    """The largest off-diagonal rates of a row-normalised confusion matrix, in words.

    Example:
        >>> m = pd.DataFrame([[0.8, 0.2], [0.1, 0.9]], index=["sad", "neutral"], columns=["sad", "neutral"])
        >>> most_frequent_confusions(m, 1)
        ['sad → neutral: 20%']
    """
    off_diagonal = matrix.mask(np.eye(len(matrix), dtype=bool)).stack()  # (true, predicted) -> rate
    largest = off_diagonal[off_diagonal > 0].sort_values(ascending=False, kind="stable").head(top)
    return [f"{t} → {p}: {v:.0%}" for (t, p), v in largest.items()]


def _table(frame: pd.DataFrame) -> str:
    return frame.to_markdown(index=False)


def _runs_table(runs: Sequence[Run]) -> pd.DataFrame:
    rows = []
    for run in runs:
        s, p = run.summary, run.summary["params"]
        rows.append({
            "run": run.name, "model": run.settings["model"], "params": f"{p['total']:,}",
            "trainable": f"{p['trainable']:,}", "non-trainable": f"{p['non_trainable']:,}",
            **{k: run.settings.get(k) for k in SETTINGS_SHOWN},
            "limit": run.settings.get("limit") or "all",
            "best val acc": round(s["best_val_accuracy"], 4), "best epoch": s["best_epoch"],
            "last val acc": round(s["last"].get("val_accuracy", float("nan")), 4),
            "images/s": round(s["train_images_per_second"]),
        })
    return pd.DataFrame(rows)


def _q1(runs: Sequence[Run]) -> List[str]:
    lines = ["## 1. The models: architecture, parameters, training settings, accuracy", ""]
    lines += [_table(_runs_table(runs)), ""]
    cnn = [r for r in runs if r.settings["model"] == "cnn"]
    dnn = [r for r in runs if r.settings["model"] == "dnn"]
    if cnn and dnn:
        c = max(cnn, key=lambda r: r.summary["best_val_accuracy"])
        d = max(dnn, key=lambda r: r.summary["best_val_accuracy"])
        gap = c.summary["best_val_accuracy"] - d.summary["best_val_accuracy"]
        lines += [
            f"**CNN vs DNN.** The best CNN ({c.name}, {c.summary['params']['total']:,} parameters, "
            f"{c.summary['epochs']} epochs) reaches {c.summary['best_val_accuracy']:.4f} on public_test; the best "
            f"DNN ({d.name}, {d.summary['params']['total']:,} parameters, {d.summary['epochs']} epochs) "
            f"{d.summary['best_val_accuracy']:.4f}: "
            f"{'the CNN is ahead by' if gap >= 0 else 'the DNN is ahead by'} {abs(gap):.4f} with "
            f"{abs(c.summary['params']['total'] - d.summary['params']['total']):,} parameters' difference. "
            f"Training speed: {c.summary['train_images_per_second']:.0f} vs "
            f"{d.summary['train_images_per_second']:.0f} images/s.", "",
        ]
    else:
        lines += ["**CNN vs DNN:** cannot be answered from these runs: it needs at least one `cnn` and one "
                  "`dnn` run (e.g. `keras-fer train --model dnn --param-budget match-cnn`).", ""]
    seen = set()
    for run in runs:
        key = (run.settings["model"], run.summary["params"]["total"])
        if key in seen:
            continue
        seen.add(key)
        lines += [f"<details><summary>Architecture of {run.name} ({run.settings['model']})</summary>", "",
                  run.architecture(), "", "</details>", ""]
    return lines


def _q2(runs: Sequence[Run], out: pathlib.Path) -> List[str]:
    from keras_fer.plots import plot_histories

    with atomic_path(out / "curves.png") as tmp:
        plot_histories({r.name: r.history for r in runs}, path=tmp)
    return ["## 2. Training curves (loss and accuracy against epoch)", "",
            "![training curves](curves.png)", "",
            "The dotted line marks each run's best validation epoch (the epoch `best.keras` comes from).", ""]


def _q3(runs: Sequence[Run]) -> List[str]:
    lines = ["## 3. Normalisation and augmentation", ""]
    frame = pd.DataFrame([{
        "run": r.name, "model": r.settings["model"], "recipe": r.settings["recipe"],
        "normalize": r.settings["normalize"], "augment": r.settings["augment"], "epochs": r.summary["epochs"],
        "limit": r.settings.get("limit") or "all",
        "best val acc": round(r.summary["best_val_accuracy"], 4), "best epoch": r.summary["best_epoch"],
        "last train acc": round(r.summary["last"].get("accuracy", float("nan")), 4),
        "last val acc": round(r.summary["last"].get("val_accuracy", float("nan")), 4),
    } for r in runs])
    varied = frame.groupby(["model", "recipe"])[["normalize", "augment"]].nunique().max(axis=1) > 1
    if not varied.any():
        lines += ["Cannot be answered from these runs: no two runs of the same model and recipe differ in "
                  "`--normalize` or `--augment`. Train e.g. `--normalize none --no-augment`, "
                  "`--normalize rescale --no-augment` and `--normalize rescale --augment`.", ""]
        return lines
    keep = frame.set_index(["model", "recipe"]).index.isin(varied[varied].index)
    lines += [_table(frame[keep].sort_values(["model", "recipe", "best val acc"])), "",
              "Compare runs of equal `epochs` and `limit`; last train accuracy is measured on augmented, "
              "dropped-out batches, validation accuracy on clean images.", ""]
    return lines


def _confusion_lines(title: str, png: str, matrix: pd.DataFrame, accuracy: float) -> List[str]:
    words = most_frequent_confusions(matrix)
    return [f"### {title} (accuracy {accuracy:.4f})", "", f"![{title}]({png})", "",
            "Most frequent confusions (share of the true class): " + "; ".join(words) + ".", ""]


def _q4(runs: Sequence[Run], out: pathlib.Path, data: Optional[str]) -> List[str]:
    from keras_fer.evaluate import evaluate

    lines = ["## 4. Confusion matrices: the best single model and the ensemble", ""]
    best = max(runs, key=lambda r: r.summary["best_val_accuracy"])
    manual_dir = data or best.settings.get("data")
    try:
        from keras_fer import data as fer_data

        x, y = fer_data.arrays("public_test", manual_dir=manual_dir, limit=best.settings.get("val_limit"))
    except (OSError, ValueError) as err:
        lines += [f"Cannot be answered: the public_test images are not readable from {manual_dir!r} ({err}). "
                  "Pass `--data DIR`.", ""]
        return lines
    x = x.astype("float32")
    single = evaluate(best.model, (x, y))
    matrix, _ = single.write(out / "best_single", title=f"best single model: {best.name}")
    lines += _confusion_lines(f"Best single model: {best.name}", "best_single/confusion_matrix.png",
                              matrix, single.accuracy)
    if len(runs) > 1:
        mean = evaluate([r.model for r in runs], (x, y))  # keras_fer.models.ensemble: the mean probability
        matrix, _ = mean.write(out / "ensemble", title=f"ensemble of {len(runs)} runs")
        lines += _confusion_lines(f"Ensemble of all {len(runs)} runs (mean probability)",
                                  "ensemble/confusion_matrix.png", matrix, mean.accuracy)
    else:
        lines += ["**Ensemble:** cannot be answered from one run; give two or more run folders.", ""]
    return lines


def write_report(run_dirs: Sequence, out, data: Optional[str] = None) -> pathlib.Path:
    """Writes `out/report.md` (+ PNGs and confusion-matrix files) from finished run folders.

    Args:
        run_dirs: run folders made by `keras-fer train`.
        out: the report folder.
        data: the FER2013 files, for the confusion matrices (default: the best run's `--data`).

    Returns:
        The path of `report.md`.
    """
    runs = [Run(d) for d in run_dirs]  # every folder checked before anything is written
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    lines = ["# FER2013 study report", "",
             f"Runs: {', '.join(f'`{r.folder}`' for r in runs)}. Accuracy is on `public_test` "
             "(the validation split; the course report's Kaggle public score).", ""]
    lines += _q1(runs) + _q2(runs, out) + _q3(runs) + _q4(runs, out, data)
    write_text(out / "report.md", "\n".join(lines) + "\n")
    return out / "report.md"
