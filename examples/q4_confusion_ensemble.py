"""Q4: confusion matrices of the best single model and of an ensemble of runs, in words.

Uses every finished run under --out (train q1/q3 first), or trains two small CNNs if there are none.
Run: python examples/q4_confusion_ensemble.py --epochs 2 --limit 1024
"""

import pathlib

from _common import keras_fer, limit_args, parse


args = parse(__doc__)
out = pathlib.Path(args.out)
runs = sorted(p.parent for p in out.glob("*/summary.json"))
if len(runs) < 2:
    common = ["--model", "cnn", "--data", args.data, "--epochs", str(args.epochs), *limit_args(args)]
    for seed in (1, 2):
        keras_fer(["train", *common, "--seed", str(seed), "--out", str(out / f"q4-seed{seed}")])
    runs = sorted(p.parent for p in out.glob("*/summary.json"))
keras_fer(["report", *map(str, runs), "--data", args.data, "--out", str(out / "q4-report")])
text = (out / "q4-report" / "report.md").read_text()
print(text[text.index("## 4."):])
