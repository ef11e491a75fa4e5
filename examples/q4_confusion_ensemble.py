"""Q4: confusion matrices of the best single model and of an ensemble of runs, in words.

Uses every finished run under --out (train q1/q3 first), or trains two small CNNs if there are none.
Run: python examples/q4_confusion_ensemble.py --epochs 2 --limit 1024
"""

import pathlib

from _common import parse, run

from keras_fer.report import write_report

args = parse(__doc__)
out = pathlib.Path(args.out)
runs = sorted(p.parent for p in out.glob("*/summary.json"))
if len(runs) < 2:
    for seed in (1, 2):
        run(args, f"q4-seed{seed}", model="cnn", seed=seed)
    runs = sorted(p.parent for p in out.glob("*/summary.json"))
text = write_report(runs, out / "q4-report", data=args.data).read_text()
print(text[text.index("## 4."):])
