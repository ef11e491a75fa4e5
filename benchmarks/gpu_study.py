"""The course report's whole study at full length, and a longer run of the robust recipe, on one GPU with JAX.

A lent GPU machine has JAX but no TensorFlow, no network, and takes at most 64 MiB of files, so:

1. here, `pack` turns FER2013 into xz-compressed uint8 arrays (about 50 MB; keep it under `device_data/`,
   which git ignores): `python benchmarks/gpu_study.py pack --data ../shared/fer2013 --out device_data/fer2013.npz.xz`
2. there, `run` unpacks them into a FER2013 CSV in a temporary folder and trains each run of the study
   as its own `keras-fer train` process under `KERAS_BACKEND=jax` (the arrays path: no TensorFlow), several
   side by side on the one GPU, into run folders that `keras-fer report` reads; then writes the report:
   `python benchmarks/gpu_study.py run --packed device_data/fer2013.npz.xz --out $OUT/study --parallel 5`

The study (`STUDY`): the course report's CNN with its /255 and augmentation (seeds 0-4: the five-model
ensemble), the fully connected network of the same size, the CNN without augmentation (/255 only, and
raw pixels), 100 epochs each; and FerVGG with the robust recipe (`--vgg-epochs`, 60). Every run selects
its best epoch on the validation split carved out of train and evaluates public_test once.

Check on a CPU with a tiny limit: `python benchmarks/gpu_study.py run --packed P --out /tmp/s --limit 256 --epochs 1`
"""

from __future__ import annotations

import argparse
import concurrent.futures
import io
import json
import lzma
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np

#: (run name, `keras-fer train` arguments); the epochs are added by `run`.
STUDY = [
    ("cnn-seed0", ["--model", "cnn", "--seed", "0"]),
    ("dnn-match-cnn", ["--model", "dnn", "--param-budget", "match-cnn"]),
    ("cnn-rescale-no-augment", ["--model", "cnn", "--no-augment"]),
    ("cnn-raw-no-augment", ["--model", "cnn", "--normalize", "none", "--no-augment"]),
    *[(f"cnn-seed{s}", ["--model", "cnn", "--seed", str(s)]) for s in range(1, 5)],
    ("vgg-robust", ["--model", "vgg", "--recipe", "robust"]),
]


def pack(data, out) -> pathlib.Path:
    """FER2013's labelled splits as one xz-compressed .npz of uint8 images and int8 labels."""
    from keras_fer.data import arrays

    buffer = io.BytesIO()
    splits = {}
    for split in ("train", "public_test"):
        x, y = arrays(split, manual_dir=data)
        splits[f"x_{split}"], splits[f"y_{split}"] = x.astype(np.uint8), y.astype(np.int8)
    np.savez(buffer, **splits)
    out = pathlib.Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_bytes(lzma.compress(buffer.getvalue(), preset=6))
    tmp.replace(out)
    return out


def unpack(packed, folder) -> pathlib.Path:
    """Writes the packed arrays as `folder/fer2013.csv` (emotion,pixels,Usage), which keras-fer reads."""
    with np.load(io.BytesIO(lzma.decompress(pathlib.Path(packed).read_bytes()))) as arrays:
        parts = [(arrays["x_train"], arrays["y_train"], "Training"),
                 (arrays["x_public_test"], arrays["y_public_test"], "PublicTest")]
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "fer2013.csv", "w") as f:
        f.write("emotion,pixels,Usage\n")
        for x, y, usage in parts:
            for image, label in zip(x.reshape(len(x), -1), y):
                f.write(f"{int(label)},{' '.join(map(str, image.tolist()))},{usage}\n")
    return folder


def train_one(name, args, data, out, epochs, limit, parallel) -> dict:
    """One `keras-fer train` process under JAX; returns its summary (or its error)."""
    command = [sys.executable, "-m", "keras_fer", "train", *args, "--data", str(data), "--epochs", str(epochs),
               "--out", str(out / name)]
    if limit:
        command += ["--limit", str(limit), "--val-limit", str(limit)]
    env = dict(os.environ, KERAS_BACKEND="jax", XLA_PYTHON_CLIENT_MEM_FRACTION=f"{0.9 / parallel:.3f}",
               XLA_PYTHON_CLIENT_PREALLOCATE="false")
    started = time.perf_counter()
    with open(out / f"{name}.log", "w") as log:
        code = subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT).returncode
    summary_path = out / name / "summary.json"
    if code or not summary_path.is_file():
        return {"run": name, "error": f"exit {code}; see {out / f'{name}.log'}"}
    summary = json.loads(summary_path.read_text())
    return {"run": name, "epochs": summary["epochs"], "best epoch": summary["best_epoch"],
            "validation": round(summary["best_val_accuracy"], 4),
            "public_test (once)": round(summary["public_test_accuracy_of_best"], 4),
            "minutes": round((time.perf_counter() - started) / 60, 1)}


def run(packed, out, epochs, vgg_epochs, limit, parallel, only) -> list:
    """Trains the study's runs (those named in `only`, or all), `parallel` at a time; writes the report."""
    import pandas as pd

    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    runs = [(n, a) for n, a in STUDY if not only or n in only]
    unknown = set(only or ()) - {n for n, _ in STUDY}
    if unknown:
        raise SystemExit(f"unknown runs {sorted(unknown)}: expected some of {[n for n, _ in STUDY]}")
    with tempfile.TemporaryDirectory() as tmp:
        data = unpack(packed, pathlib.Path(tmp) / "fer")
        with concurrent.futures.ThreadPoolExecutor(parallel) as pool:
            jobs = [pool.submit(train_one, name, args, data, out, vgg_epochs if name == "vgg-robust" else epochs,
                                limit, parallel) for name, args in runs]
            rows = [job.result() for job in jobs]
        done = [out / row["run"] for row in rows if "error" not in row]
        if done:
            report = subprocess.run([sys.executable, "-m", "keras_fer", "report", *map(str, done), "--out",
                                     str(out / "report"), "--data", str(data)],
                                    env=dict(os.environ, KERAS_BACKEND="jax"), capture_output=True, text=True)
            if report.returncode:
                print(f"keras-fer report failed:\n{report.stderr[-2000:]}", file=sys.stderr)
    table = pd.DataFrame(rows)
    print(table.to_markdown(index=False))
    (out / "study.md").write_text(table.to_markdown(index=False) + "\n")
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pack", help="FER2013 as xz-compressed uint8 arrays, to carry to the GPU machine")
    p.add_argument("--data", default="../shared/fer2013")
    p.add_argument("--out", default="device_data/fer2013.npz.xz")
    r = sub.add_parser("run", help="train the study with JAX, several runs side by side")
    r.add_argument("--packed", default="device_data/fer2013.npz.xz")
    r.add_argument("--out", required=True)
    r.add_argument("--epochs", type=int, default=100, help="epochs of each run of the course report's study")
    r.add_argument("--vgg-epochs", type=int, default=None, help="epochs of the robust FerVGG run (default: 60, "
                                                                "or --epochs when that is given)")
    r.add_argument("--limit", type=int, default=None, help="first N training and validation images (checks)")
    r.add_argument("--parallel", type=int, default=5, help="training processes at once")
    r.add_argument("--only", nargs="*", default=None, help="only these runs of STUDY")
    args = parser.parse_args(argv)
    if args.command == "pack":
        path = pack(args.data, args.out)
        print(f"wrote {path} ({path.stat().st_size / 2**20:.1f} MiB)")
        return 0
    vgg_epochs = args.vgg_epochs or (args.epochs if "--epochs" in (argv or sys.argv) else 60)
    rows = run(args.packed, args.out, args.epochs, vgg_epochs, args.limit, args.parallel, args.only)
    return 1 if any("error" in row for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
