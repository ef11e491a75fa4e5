"""FerCNN training images/s: keras-fer's defaults against the seed's own code, side by side.

- seed: the report's Sequential CNN, float32, fed by Keras' ImageDataGenerator(...).flow (its code).
- keras-fer float32: FerCNN fed by `keras_fer.data.load(augment=True)` (tf.data), float32.
- keras-fer default: the same with `--precision auto` (mixed_bfloat16 on CPUs with AVX512-BF16).
All on the same first `--n` FER2013 training images with the seed's augmentation, batch 128, Adam.
Also: the augmented input pipeline's own images/s over the whole train split.

Run: python benchmarks/train_speed.py --data ../shared/fer2013 [--n 2048] [--epochs 3]
"""

import argparse
import json
import os
import sys
import time

import keras

sys.path.insert(0, os.path.dirname(__file__))
from _timing import fit_rate  # noqa: E402
from seed_reference import seed_cnn, seed_datagen  # noqa: E402

from keras_fer import FerCNN, data  # noqa: E402
from keras_fer.precision import set_precision  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--n", type=int, default=2048)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    x, y = data.arrays("train", manual_dir=args.data, limit=args.n)
    out = {"n_images": args.n}

    keras.mixed_precision.set_global_policy("float32")
    keras.utils.set_random_seed(0)
    seed_model = seed_cnn()
    seed_model.compile(keras.optimizers.Adam(), "sparse_categorical_crossentropy", metrics=["accuracy"])
    flow = seed_datagen().flow(x.astype("float32") / 255.0, y, batch_size=128, seed=0)
    out["seed_code_float32"] = fit_rate(seed_model, flow, args.n, args.epochs)

    pipeline = data.load("train", manual_dir=args.data, limit=args.n, augment=True, normalize="none", seed=0)
    for label, precision in (("keras_fer_float32", "float32"), ("keras_fer_default", "auto")):
        policy = set_precision(precision)
        keras.utils.set_random_seed(0)
        model = FerCNN(rescale=1 / 255)
        model.compile(keras.optimizers.Adam(), "sparse_categorical_crossentropy", metrics=["accuracy"])
        out[label] = fit_rate(model, pipeline, args.n, args.epochs)
        out[f"{label}_policy"] = policy
    keras.mixed_precision.set_global_policy("float32")

    full = data.load("train", manual_dir=args.data, augment=True, seed=0)
    best = 0.0
    for _ in range(2):
        n, t0 = 0, time.perf_counter()
        for _, labels in full:
            n += int(labels.shape[0])
        best = max(best, n / (time.perf_counter() - t0))
    out["pipeline_images_per_s"] = best
    out["speedup_default_vs_seed"] = out["keras_fer_default"] / out["seed_code_float32"]
    out["speedup_float32_vs_seed"] = out["keras_fer_float32"] / out["seed_code_float32"]
    out["pipeline_over_training_rate"] = best / out["keras_fer_default"]
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()}, indent=1))


if __name__ == "__main__":
    main()
