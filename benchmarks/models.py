"""Training images/s of FerCNN / FerDNN against the seed's own Sequential code, side by side.

Same random data, same float32 precision, same optimizer and batch size: the same architecture
must train at the same speed (a ratio near 1.0).

Run: python benchmarks/models.py [--n 2048] [--epochs 3]
"""

import argparse
import json
import os
import sys

import keras
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _timing import fit_rate  # noqa: E402
from seed_reference import seed_cnn, seed_dnn  # noqa: E402

from keras_fer import FerCNN, FerDNN  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2048)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    keras.mixed_precision.set_global_policy("float32")
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (args.n, 48, 48, 1)).astype("float32")
    y = rng.integers(0, 7, args.n)
    results = {}
    pairs = [("cnn", FerCNN, seed_cnn), ("dnn", lambda: FerDNN(), seed_dnn)]
    for name, ours, theirs in pairs:
        for label, build in (("keras_fer", ours), ("seed", theirs)):
            keras.utils.set_random_seed(0)
            model = build()
            model.compile(keras.optimizers.Adam(), "sparse_categorical_crossentropy", metrics=["accuracy"])
            results[f"{name}/{label}"] = fit_rate(model, x, args.n, args.epochs, y=y, batch_size=128)
        results[f"{name}/ratio"] = results[f"{name}/keras_fer"] / results[f"{name}/seed"]
    print(json.dumps({k: round(v, 3) for k, v in results.items()}, indent=1))


if __name__ == "__main__":
    main()
