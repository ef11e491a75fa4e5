"""Channels-last against channels-first on a CPU: the course report's CNN layers in both layouts.

FerCNN (like Keras) is channels-last; this builds the same layers (3,258,379 parameters, no dropout)
with `keras.config.set_image_data_format` set either way, in a fresh process each, and times two
epochs of `fit` on 1,024 random 48x48 images (batch 128, Adam, float32) after one warm-up epoch.

Run: python benchmarks/layout_speed.py
"""

import json
import os
import subprocess
import sys
import time


def child(data_format):
    import numpy as np

    import keras

    keras.config.set_image_data_format(data_format)
    last = data_format == "channels_last"
    shape = (48, 48, 1) if last else (1, 48, 48)
    inputs = keras.Input(shape)
    x = inputs
    for filters in (64, 128, 256, 256):
        x = keras.layers.BatchNormalization(axis=-1 if last else 1)(x)
        x = keras.layers.Conv2D(filters, 5, padding="same")(x)
        x = keras.layers.LeakyReLU(0.2)(x)
        x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Dense(256)(keras.layers.Flatten()(x))
    model = keras.Model(inputs, keras.layers.Dense(7, activation="softmax")(keras.layers.LeakyReLU(0.2)(x)))
    model.compile(keras.optimizers.Adam(), "sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    images, labels = rng.random((1024, *shape), dtype=np.float32), rng.integers(0, 7, 1024)
    model.fit(images, labels, batch_size=128, epochs=1, verbose=0)
    start = time.perf_counter()
    model.fit(images, labels, batch_size=128, epochs=2, verbose=0)
    print(json.dumps({"params": model.count_params(), "images_per_s": 2048 / (time.perf_counter() - start)}))


def main():
    if len(sys.argv) > 1:
        return child(sys.argv[1])
    for data_format in ("channels_last", "channels_first"):
        out = subprocess.run([sys.executable, os.path.abspath(__file__), data_format], capture_output=True,
                             text=True, check=True, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{data_format}: {result['images_per_s']:.1f} images/s ({result['params']:,} parameters)")


if __name__ == "__main__":
    main()
