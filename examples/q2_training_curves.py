"""Q2: loss and accuracy against epoch for the CNN and the DNN (runs of q1, trained here if missing).

Run: python examples/q2_training_curves.py --epochs 2 --limit 1024
"""

import pathlib

import pandas as pd
from _common import keras_fer, limit_args, parse

from keras_fer.plots import plot_histories

args = parse(__doc__)
out = pathlib.Path(args.out)
common = ["--data", args.data, "--epochs", str(args.epochs), *limit_args(args)]
if not (out / "q1-cnn" / "summary.json").exists():
    keras_fer(["train", "--model", "cnn", *common, "--out", str(out / "q1-cnn")])
if not (out / "q1-dnn" / "summary.json").exists():
    keras_fer(["train", "--model", "dnn", "--param-budget", "match-cnn", *common, "--out", str(out / "q1-dnn")])
histories = {name: pd.read_csv(out / name / "history.csv") for name in ("q1-cnn", "q1-dnn")}
plot_histories(histories, path=out / "q2_curves.png")
print(f"wrote {out / 'q2_curves.png'} (each run also has its own curves.png)")
