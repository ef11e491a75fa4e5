"""How blurred is the training split, and what does blurring test images at inference buy?

1. Pixels only: `keras_fer.domain.compare_splits` on train vs public_test (sharpness, contrast, the
   Gaussian sigma that makes public_test look like train).
2. With a model (`--model run/best.keras`, or `--train-probe` to train one here: FerCNN, no dropout,
   no augmentation, Adam 3e-4, zero-init head, 3 epochs on train[:20000], bf16, ~9 min on 2 cores):
   public_test accuracy with inference blurs of several sigmas, next to the accuracy on held-out
   *training* images (train[20000:], same blur as training; only with --train-probe).

3. `--spectrum`: the blur's measured transfer function, sqrt(train / public_test radial power) by
   radius (cycles per image), next to what Gaussian blurs of public_test give (3,000 images each).

Run:
    python benchmarks/domain_shift.py --data ../shared/fer2013 --spectrum
    python benchmarks/domain_shift.py --data ../shared/fer2013 --train-probe
    python benchmarks/domain_shift.py --data ../shared/fer2013 --model runs/cnn-fast-blur12/best.keras
"""

import argparse
import json
import time

import numpy as np
import keras

from keras_fer import FerCNN, data
from keras_fer.callbacks import recalibrate_batch_norm
from keras_fer.domain import compare_splits, gaussian_blur, radial_power
from keras_fer.layers.blur import inference_blur_off

SIGMAS = (0.0, 1.0, 2.0, 2.5, 3.0, 3.5, 4.0)


def train_probe(x, y):
    keras.utils.set_random_seed(0)
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    model = FerCNN(conv_dropout=0.0, dense_dropout=0.0, rescale=1 / 255)
    head = model.get_layer("predictions")
    head.kernel.assign(np.zeros(head.kernel.shape, "float32"))
    model.compile(keras.optimizers.Adam(3e-4), "sparse_categorical_crossentropy", metrics=["accuracy"])
    xt, yt = x[:20000].astype("float32"), y[:20000]
    for epoch in range(3):
        started = time.time()
        model.fit(xt, yt, batch_size=64, epochs=1, verbose=0, shuffle=True)
        recalibrate_batch_norm(model, xt[:4096])
        print(f"probe epoch {epoch + 1}: {time.time() - started:.0f} s", flush=True)
    return model


def spectrum(x, xv, n=3000, radii=12):
    """{name: transfer function by radius 0..radii-1}: measured, and Gaussian blurs of public_test."""
    reference = radial_power(xv[:n].astype("float64"))
    rows = {"measured (train vs public_test)": np.sqrt(radial_power(x[:n].astype("float64")) / reference)}
    for sigma in (3.0, 3.5, 4.0):
        blurred = gaussian_blur(xv[:n].astype("float32"), sigma).astype("float64")
        rows[f"public_test blurred, sigma {sigma}"] = np.sqrt(radial_power(blurred) / reference)
    return {name: [round(float(v), 3) for v in values[:radii]] for name, values in rows.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="../shared/fer2013")
    parser.add_argument("--model", default=None, help="a .keras model to evaluate (its own blur is switched off)")
    parser.add_argument("--train-probe", action="store_true")
    parser.add_argument("--spectrum", action="store_true", help="print the blur's transfer function")
    args = parser.parse_args()

    x, y = data.arrays("train", manual_dir=args.data)
    xv, yv = data.arrays("public_test", manual_dir=args.data)
    started = time.time()
    report = compare_splits(x, xv)
    result = {"domain": {**report.__dict__, "sharpness_ratio": report.sharpness_ratio,
                         "seconds": round(time.time() - started, 1)}}
    print(report.describe("train", "public_test"), flush=True)
    if args.spectrum:
        result["transfer_function_by_radius"] = spectrum(x, xv)
        for name, values in result["transfer_function_by_radius"].items():
            print(f"{name:34s} " + " ".join(f"{v:.3f}" for v in values), flush=True)
    if not (args.model or args.train_probe):
        print(json.dumps(result, indent=2))
        return
    if args.train_probe:
        model = train_probe(x, y)
        result["held_out_train_accuracy"] = model.evaluate(x[20000:].astype("float32"), y[20000:], verbose=0,
                                                           batch_size=256)[1]
    else:
        model = keras.saving.load_model(args.model)
    result["public_test_accuracy_by_sigma"] = {}
    with inference_blur_off(model):  # measure the blurs below on their own
        for sigma in SIGMAS:
            images = gaussian_blur(xv.astype("float32"), sigma)
            acc = model.evaluate(images, yv, verbose=0, batch_size=256)[1]
            result["public_test_accuracy_by_sigma"][str(sigma)] = round(float(acc), 4)
            print(f"inference blur sigma {sigma}: public_test accuracy {acc:.4f}", flush=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
