"""Q1: the seed's CNN against a DNN with exactly as many parameters; architectures, counts, accuracy.

Run: python examples/q1_cnn_vs_dnn.py --epochs 2 --limit 1024
"""

import json
import pathlib

from _common import keras_fer, limit_args, parse

from keras_fer import FerCNN, FerDNN

args = parse(__doc__)
cnn, dnn = FerCNN(), FerDNN(param_budget=FerCNN().count_params())
cnn.summary()
dnn.summary()
print(f"parameters: cnn {cnn.count_params():,}, dnn {dnn.count_params():,}")

out = pathlib.Path(args.out)
common = ["--data", args.data, "--epochs", str(args.epochs), *limit_args(args)]
keras_fer(["train", "--model", "cnn", *common, "--out", str(out / "q1-cnn")])
keras_fer(["train", "--model", "dnn", "--param-budget", "match-cnn", *common, "--out", str(out / "q1-dnn")])
for name in ("q1-cnn", "q1-dnn"):
    s = json.loads((out / name / "summary.json").read_text())
    print(f"{name}: {s['params']['total']:,} parameters, best public_test accuracy {s['best_val_accuracy']:.4f} "
          f"(epoch {s['best_epoch']}), {s['train_images_per_second']:.0f} training images/s")
