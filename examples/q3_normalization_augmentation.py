"""Q3: no normalisation, /255 only, and /255 + the seed's augmentation, side by side.

Run: python examples/q3_normalization_augmentation.py --epochs 2 --limit 1024
"""

import json
import pathlib

from _common import keras_fer, limit_args, parse


args = parse(__doc__)
out = pathlib.Path(args.out)
common = ["--model", "cnn", "--data", args.data, "--epochs", str(args.epochs), *limit_args(args)]
cases = {
    "q3-none": ["--normalize", "none", "--no-augment"],
    "q3-rescale": ["--normalize", "rescale", "--no-augment"],
    "q3-rescale-augment": ["--normalize", "rescale", "--augment"],
}
for name, flags in cases.items():
    keras_fer(["train", *common, *flags, "--out", str(out / name)])
print("case                 best val acc  last train acc  last val acc")
for name in cases:
    s = json.loads((out / name / "summary.json").read_text())
    print(f"{name:20s} {s['best_val_accuracy']:12.4f} {s['last']['accuracy']:15.4f} {s['last']['val_accuracy']:13.4f}")
keras_fer(["report", *(str(out / n) for n in cases), "--out", str(out / "q3-report")])
