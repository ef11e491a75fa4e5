"""FerCNN training speed on a CPU, with and without bfloat16: one variant per process, side by side.

Each variant trains the default FerCNN (the course report's augmentation, batch 128, Adam) on the
same first `--n` FER2013 training images for `--epochs` epochs in a fresh Python process, because
threading, oneDNN and the Keras backend are fixed when TensorFlow or JAX starts. The rate is the best
epoch after the first (the first includes tracing). Variants:

- seed: the course report's own code (Sequential CNN, ImageDataGenerator), float32 — the reference.
- float32: keras-fer as `--precision float32` runs it (what `--precision auto` picks without bf16).
- float32 + inter-op 1 / intra-op 1: TensorFlow's thread pools set for a small CPU.
- float32 + XLA: `jit_compile=True` (Keras leaves XLA off on TensorFlow CPU-only machines).
- float32, oneDNN off: `TF_ENABLE_ONEDNN_OPTS=0` (Eigen kernels).
- float32, batches precomputed: the same augmented batches computed once and replayed, so the input
  pipeline costs nothing during the fit: the most any tf.data tuning could give.
- float32, oneDNN capped at AVX512 without bf16/VNNI, and at AVX2: what a CPU without AVX512-BF16
  (or without AVX512 at all) runs, emulated with `ONEDNN_MAX_CPU_ISA`.
- float32 augmentation in the model: numpy arrays to `fit`, `FerCNN(augmentation=True)` (the path
  `keras-fer train` takes on backends other than TensorFlow).
- jax float32: `KERAS_BACKEND=jax` (XLA on the CPU), fed by the same tf.data pipeline; and with the
  augmentation in the model, as `keras-fer train` runs on JAX.
- bf16: `--precision mixed_bfloat16` (what `auto` picks on a CPU with AVX512-BF16).

Run: python benchmarks/cpu_speed.py --data ../shared/fer2013 [--n 2048] [--epochs 3] [--repeat 3] [--only NAME ...]
Prints a markdown table (images/s, and each variant over `float32` and over `seed`).
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys

# name: (environment, options for the child)
VARIANTS = {
    "seed": ({}, {"seed_code": True}),
    "float32": ({}, {}),
    "float32 inter-op 1": ({}, {"inter": 1}),
    "float32 intra-op 1 inter-op 1": ({}, {"inter": 1, "intra": 1}),
    "float32 XLA": ({}, {"jit": True}),
    "float32 oneDNN off": ({"TF_ENABLE_ONEDNN_OPTS": "0"}, {}),
    "float32 batches precomputed": ({}, {"precomputed": True}),
    "float32 oneDNN <= AVX512 (no bf16)": ({"ONEDNN_MAX_CPU_ISA": "AVX512_CORE"}, {}),
    "float32 oneDNN <= AVX2": ({"ONEDNN_MAX_CPU_ISA": "AVX2"}, {}),
    "float32 augmentation in the model": ({}, {"in_model": True}),
    "jax float32": ({"KERAS_BACKEND": "jax"}, {}),
    "jax float32 augmentation in the model": ({"KERAS_BACKEND": "jax"}, {"in_model": True}),
    "bf16": ({}, {"precision": "mixed_bfloat16"}),
}


def cpu_description():
    text = pathlib.Path("/proc/cpuinfo").read_text()
    model = next((line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("model name")), "?")
    flags = next((line.split(":", 1)[1].split() for line in text.splitlines() if line.startswith("flags")), [])
    bf16 = "with" if "avx512_bf16" in flags else "without"
    return f"{os.cpu_count()} cores of {model}, {bf16} AVX512-BF16"


def child(args, options):
    """Runs one variant in this process and prints its images/s as JSON."""
    import tensorflow as tf

    if "inter" in options:
        tf.config.threading.set_inter_op_parallelism_threads(options["inter"])
    if "intra" in options:
        tf.config.threading.set_intra_op_parallelism_threads(options["intra"])
    import keras

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _timing import fit_rate

    from keras_fer import FerCNN, data
    from keras_fer.precision import set_precision

    policy = set_precision(options.get("precision", "float32"))
    keras.utils.set_random_seed(0)
    fit_kwargs = {}
    if options.get("seed_code"):
        from seed_reference import seed_cnn, seed_datagen

        x, y = data.arrays("train", manual_dir=args.data, limit=args.n)
        model = seed_cnn()
        feed = seed_datagen().flow(x.astype("float32") / 255.0, y, batch_size=128, seed=0)
    elif options.get("in_model"):
        x, y = data.arrays("train", manual_dir=args.data, limit=args.n)
        model = FerCNN(rescale=1 / 255, augmentation=True)
        feed = x.astype("float32")
        fit_kwargs = {"y": y, "batch_size": 128, "shuffle": True}
    else:
        model = FerCNN(rescale=1 / 255)
        feed = data.load("train", manual_dir=args.data, limit=args.n, augment=True, normalize="none", seed=0)
        if options.get("precomputed"):
            feed = feed.take(-(-args.n // 128)).cache()
            for _ in feed:  # fill the cache before timing
                pass
    model.compile(keras.optimizers.Adam(), "sparse_categorical_crossentropy", metrics=["accuracy"],
                  jit_compile=options.get("jit", "auto"))
    rate = fit_rate(model, feed, args.n, args.epochs, **fit_kwargs)
    print(json.dumps({"images_per_s": rate, "backend": keras.backend.backend(), "policy": policy,
                      "jit_compile": bool(model.jit_compile)}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--n", type=int, default=2048)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--only", nargs="*", choices=list(VARIANTS), default=None)
    parser.add_argument("--repeat", type=int, default=1, help="rounds over the variants (the median is shown)")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        return child(args, json.loads(args.child))

    print(f"# {cpu_description()}; {args.n} images, best of epochs 2..{args.epochs}", flush=True)
    rates = {}
    for round_ in range(args.repeat):  # rounds interleave the variants, so drift hits them alike
        for name in args.only or VARIANTS:
            env, options = VARIANTS[name]
            command = [sys.executable, os.path.abspath(__file__), "--data", args.data, "--n", str(args.n),
                       "--epochs", str(args.epochs), "--child", json.dumps(options)]
            result = subprocess.run(command, env={**os.environ, "KERAS_BACKEND": "tensorflow", **env},
                                    capture_output=True, text=True, check=False)
            if result.returncode != 0:
                print(f"{name}: failed\n{result.stderr[-2000:]}", file=sys.stderr, flush=True)
                continue
            rate = json.loads(result.stdout.strip().splitlines()[-1])["images_per_s"]
            rates.setdefault(name, []).append(rate)
            print(f"# round {round_ + 1}, {name}: {rate:.1f} images/s", flush=True)

    median = {name: statistics.median(r) for name, r in rates.items()}
    base, seed = median.get("float32"), median.get("seed")
    print("\n| variant | images/s (median) | range | / float32 | / seed code |\n|:--|--:|:--|--:|--:|")
    for name, r in rates.items():
        ratios = [f"{median[name] / ref:.2f}" if ref else "-" for ref in (base, seed)]
        print(f"| {name} | {median[name]:.1f} | {min(r):.1f}-{max(r):.1f} | {ratios[0]} | {ratios[1]} |")


if __name__ == "__main__":
    main()
