"""Input pipeline: images/s of `load("train", augment=True)` against Keras' four random layers chained.

Both pipelines read the same prepared builder, cache, shuffle and batch alike; the reference maps
RandomFlip -> RandomRotation -> RandomZoom -> RandomTranslation per batch (four resamplings), ours
one composed affine transform. Also: the wall time of preparing the builder from the .csv.gz.

Run: python benchmarks/pipeline.py --data ../shared/fer2013 [--epochs 3]
"""

import argparse
import json
import os
import tempfile
import time

import keras
import tensorflow as tf

from keras_fer import data


def rate(ds, epochs):
    best = 0.0
    for _ in range(epochs):  # the first epoch also fills the cache
        n, t0 = 0, time.perf_counter()
        for x, y in ds:
            n += int(y.shape[0])
        best = max(best, n / (time.perf_counter() - t0))
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        builder = data.prepare(args.data, data_dir=tmp)
        out["prepare_seconds"] = time.perf_counter() - t0
        out["train_examples"] = builder.info.splits["train"].num_examples

        ours = data.load("train", manual_dir=args.data, data_dir=tmp, augment=True, seed=0)
        chain = keras.Sequential([
            keras.layers.RandomFlip("horizontal", seed=0),
            keras.layers.RandomRotation(15 / 360, fill_mode="nearest", seed=1),
            keras.layers.RandomZoom(0.1, 0.1, fill_mode="nearest", seed=2),
            keras.layers.RandomTranslation(0.1, 0.1, fill_mode="nearest", seed=3),
        ])
        plain = builder.as_dataset(split="train", as_supervised=True).cache().shuffle(28709, seed=0).batch(128)
        reference = plain.map(
            lambda x, y: (chain(tf.cast(x, tf.float32) / 255.0, training=True), tf.cast(y, tf.int32)),
            num_parallel_calls=tf.data.AUTOTUNE,
        ).prefetch(tf.data.AUTOTUNE)
        unaugmented = data.load("train", manual_dir=args.data, data_dir=tmp)
        out["keras_fer_augmented_images_per_s"] = rate(ours, args.epochs)
        out["four_layer_chain_images_per_s"] = rate(reference, args.epochs)
        out["keras_fer_unaugmented_images_per_s"] = rate(unaugmented, args.epochs)
        out["augmented_ratio"] = out["keras_fer_augmented_images_per_s"] / out["four_layer_chain_images_per_s"]
    out["cpus"] = os.cpu_count()
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()}, indent=1))


if __name__ == "__main__":
    main()
