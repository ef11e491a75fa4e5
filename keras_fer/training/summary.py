"""The end of a run: the selected model evaluated once on public_test, its confusion files, the curves and
`summary.json`.

Example:
    >>> sorted(versions())[:2]
    ['backend', 'keras']
"""

from __future__ import annotations

import json
import time

import numpy as np

from typing import TYPE_CHECKING

from keras_fer.io import atomic_path, write_json
from keras_fer.training.model import count_params

if TYPE_CHECKING:
    from keras_fer.training.config import Plan
    from keras_fer.training.inputs import Inputs


def versions() -> dict:
    import keras

    import keras_fer

    out = {"keras": keras.__version__, "keras_fer": keras_fer.__version__, "backend": keras.backend.backend()}
    try:
        import tensorflow as tf

        out["tensorflow"] = tf.__version__
    except ImportError:
        out["tensorflow"] = None
    return out


def summarise(plan: Plan, model, data: Inputs, history, policy, started: float) -> dict:
    """Evaluates the best model on public_test; writes its confusion files, the curves and summary.json."""
    import keras

    from keras_fer.evaluate import evaluate
    from keras_fer.plots import plot_history

    config, out = plan.config, plan.out
    best = keras.saving.load_model(out / "best.keras", compile=False)
    result = evaluate(best, data.test_data)  # public_test, once, with the selected model
    accuracy = result.accuracy
    result.write(out, title=f"{config.model} best model on public_test (accuracy {accuracy:.3f})")
    best_info = json.loads((out / "best.json").read_text())
    with atomic_path(out / "curves.png") as tmp:
        plot_history(history.rows, title=f"{config.model} ({config.recipe} recipe)", best_epoch=best_info["epoch"],
                     path=tmp)
    rows = history.rows
    summary = {
        "model": config.model,
        "params": count_params(model),
        "epochs": len(rows),
        "best_epoch": best_info["epoch"],
        "selected_on": config.val_split,
        "best_val_accuracy": best_info["value"],
        "public_test_accuracy_of_best": accuracy,
        "last": {k: v for k, v in rows[-1].items() if k != "epoch"},
        "wall_seconds": float(sum(r["epoch_seconds"] for r in rows)),
        "wall_seconds_this_session": time.perf_counter() - started,
        "train_images_per_second": float(np.median([r["train_images_per_second"] for r in rows])),
        "n_train": data.n_train,
        "precision": policy,
        "backend": keras.backend.backend(),
        "input_pipeline": "tf.data" if data.use_tf else "arrays",
    }
    write_json(out / "summary.json", summary)
    return summary
