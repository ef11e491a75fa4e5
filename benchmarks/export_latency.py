"""The bundled model in Keras and in each export: size, max |difference| on 256 public_test faces,
one-image latency (median of 50 calls after a warm-up), measured one after the other in one process.

Run: python benchmarks/export_latency.py --data ../shared/fer2013
"""

from __future__ import annotations

import argparse
import tempfile
import time

import numpy as np
import pandas as pd

import keras_fer
from keras_fer.export import FORMATS, check, export


def one_image_ms(run, x, calls=50):
    run(x[:1])
    times = []
    for i in range(calls):
        start = time.perf_counter()
        run(x[i % len(x)][None])
        times.append(time.perf_counter() - start)
    return 1000 * float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="../shared/fer2013")
    args = parser.parse_args()
    model = keras_fer.load_pretrained()
    x = keras_fer.data.arrays("public_test", manual_dir=args.data, limit=256)[0].astype("float32")
    rows = [{"runtime": "Keras (TensorFlow backend), model.predict_on_batch", "size": "-",
             "max |diff|": "-", "one image (ms)": f"{one_image_ms(model.predict_on_batch, x):.2f}"}]
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in FORMATS:
            path = f"{tmp}/model" + {"onnx": ".onnx", "litert": ".tflite"}.get(fmt, "")
            export(model, path, fmt)
            result = check(model, path, fmt, x)
            from keras_fer.export import load_runtime

            rows.append({"runtime": fmt, "size": f"{result['bytes'] / 2**20:.1f} MiB",
                         "max |diff|": f"{result['max_abs_diff']:.1e}",
                         "one image (ms)": f"{one_image_ms(load_runtime(path, fmt), x):.2f}"})
    print(pd.DataFrame(rows).to_markdown(index=False))


if __name__ == "__main__":
    main()
