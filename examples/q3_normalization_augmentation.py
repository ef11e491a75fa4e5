"""Q3: no normalisation, /255 only, and /255 + the seed's augmentation, side by side.

Run: python examples/q3_normalization_augmentation.py --epochs 2 --limit 1024
"""

import pathlib

from _common import parse, run

from keras_fer.report import write_report

args = parse(__doc__)
out = pathlib.Path(args.out)
cases = {
    "q3-none": dict(normalize="none", augment=False),
    "q3-rescale": dict(normalize="rescale", augment=False),
    "q3-rescale-augment": dict(normalize="rescale", augment=True),
}
summaries = {name: run(args, name, model="cnn", **settings) for name, settings in cases.items()}
print("case                 best val acc  last train acc  last val acc")
for name, s in summaries.items():
    print(f"{name:20s} {s['best_val_accuracy']:12.4f} {s['last']['accuracy']:15.4f} {s['last']['val_accuracy']:13.4f}")
print(f"wrote {write_report([out / n for n in cases], out / 'q3-report', data=args.data)}")
