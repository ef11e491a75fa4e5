"""Q2: loss and accuracy against epoch for the CNN and the DNN (runs of q1, trained here if missing).

Run: python examples/q2_training_curves.py --epochs 2 --limit 1024
"""

import pathlib

import pandas as pd
from _common import parse, run

from keras_fer.plots import plot_histories

args = parse(__doc__)
out = pathlib.Path(args.out)
run(args, "q1-cnn", model="cnn")  # finished runs are found, not trained again
run(args, "q1-dnn", model="dnn", param_budget="match-cnn")
histories = {name: pd.read_csv(out / name / "history.csv") for name in ("q1-cnn", "q1-dnn")}
plot_histories(histories, path=out / "q2_curves.png")
print(f"wrote {out / 'q2_curves.png'} (each run also has its own curves.png)")
