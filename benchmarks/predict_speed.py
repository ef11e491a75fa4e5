"""Inference speed: batch images/s of `keras-fer predict`, and one image's latency through a loaded model.

Run: python benchmarks/predict_speed.py MODEL.keras --input ../shared/fer2013/test_unlabeled.csv.gz
"""

import argparse
import json
import tempfile
import time

import keras
import numpy as np

from keras_fer.cli import main as cli
from keras_fer.data import read_unlabeled


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--input", required=True)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        cli(["predict", args.model, "--input", args.input, "--out", f"{tmp}/s.csv"])
        out["predict_command_seconds"] = time.perf_counter() - t0
    ids, images = read_unlabeled(args.input)
    out["n_images"] = len(ids)
    out["predict_command_images_per_s"] = len(ids) / out["predict_command_seconds"]
    model = keras.saving.load_model(args.model, compile=False)
    x = images.astype("float32")
    model.predict(x[:256], batch_size=256, verbose=0)
    t0 = time.perf_counter()
    model.predict(x, batch_size=256, verbose=0)
    out["model_predict_images_per_s"] = len(x) / (time.perf_counter() - t0)
    one = x[:1]
    for _ in range(10):
        model(one, training=False)
    latencies = []
    for i in range(args.repeats):
        t0 = time.perf_counter()
        np.asarray(model(x[i : i + 1], training=False))
        latencies.append(time.perf_counter() - t0)
    out["single_image_latency_ms_median"] = 1000 * float(np.median(latencies))
    out["single_image_latency_ms_p90"] = 1000 * float(np.percentile(latencies, 90))
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()}, indent=1))


if __name__ == "__main__":
    main()
