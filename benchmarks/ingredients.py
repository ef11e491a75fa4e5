"""Recipe ingredients for FerVGG, one at a time, in the same short budget; selected on validation only.

Each row changes ONE thing in the `robust` recipe (the bundled FerVGG's) and trains FerVGG for `--epochs`
on the first `--limit` images of `train_fit` (the learning-rate schedule runs to its end within that
budget). The table reports the validation split (carved out of train): the last epoch's accuracy and the
best epoch's; public_test is not looked at. A repeat of the baseline with another seed shows the noise;
each row is compared with the mean of the two.

Each row is its own run folder (`OUT/<row>`, a normal `keras-fer train` run: resumable, `keras-fer report`
reads it), so rows can run one per process (`--only`) and the table is rebuilt from the folders:

    python benchmarks/ingredients.py --data ../shared/fer2013 --out ~/runs/ingredients --only baseline
    python benchmarks/ingredients.py --data ../shared/fer2013 --out ~/runs/ingredients --table

Tiny smoke run (CI): `--epochs 1 --limit 128 --val-limit 64 --only baseline`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import pathlib

#: name -> (what changes, Recipe fields to replace, TrainConfig fields to replace)
ROWS = {
    "baseline": ("robust recipe as bundled (AdamW 2e-3, wd 0.05, cosine, LS 0.1, scale/light aug)", {}, {}),
    "seed 1": ("baseline, another seed (noise level)", {}, {"seed": 1}),
    "course aug": ("course report's augmentation only (no scale jitter, no light/blur/noise)",
                   {"augmentation": None}, {}),
    "no LS": ("label smoothing 0", {"label_smoothing": 0.0}, {}),
    "sgd": ("SGD Nesterov 0.9, lr 0.05, wd 5e-4", {"optimizer": "sgd", "learning_rate": 0.05, "weight_decay": 5e-4},
            {}),
    "float32": ("float32 instead of mixed bfloat16", {}, {"precision": "float32"}),
    "erasing": ("+ random erasing (p 0.5)", {"augmentation": "+erasing"}, {}),
    "mixup": ("+ mixup (alpha 0.2)", {"mixup": 0.2}, {}),
    "ema": ("+ EMA of the weights (0.998), validated and kept", {"ema": 0.998}, {}),
    "one-cycle": ("warm-up 30% of the steps, then cosine", {"warmup_epochs": "30%"}, {}),
    "distill": ("+ targets 0.7 x the bundled three FerVGGs' probabilities (mirror-averaged) + 0.3 x the label",
                {"distill": 0.7}, {}),
}


def row_recipe(name: str, epochs: int):
    from keras_fer.recipes import ROBUST

    fields = dict(ROWS[name][1])
    if fields.get("augmentation") == "+erasing":
        fields["augmentation"] = {**ROBUST.augmentation, "erasing": 0.5}
    if fields.get("warmup_epochs") == "30%":
        fields["warmup_epochs"] = 0.3 * epochs
    return dataclasses.replace(ROBUST, name=f"robust/{name}", **fields)


def slug(name: str) -> str:
    return name.replace(" ", "-")


def run_row(name: str, args) -> dict:
    from keras_fer.training import TrainConfig, train

    config = TrainConfig(model="vgg", data=args.data, epochs=args.epochs, limit=args.limit, val_limit=args.val_limit,
                         recipe="robust", **ROWS[name][2])
    return train(config, pathlib.Path(args.out) / slug(name), verbose=2, recipe=row_recipe(name, args.epochs))


def table(out: pathlib.Path):
    import pandas as pd

    rows = []
    for name, (what, _, _) in ROWS.items():
        folder = out / slug(name)
        if not (folder / "summary.json").exists():
            continue
        summary = json.loads((folder / "summary.json").read_text())
        history = pd.read_csv(folder / "history.csv")
        rows.append({"row": name, "change": what,
                     "val acc (last)": round(float(history["val_accuracy"].iloc[-1]), 4),
                     "val acc (best)": round(float(summary["best_val_accuracy"]), 4),
                     "train acc (last)": round(float(history["accuracy"].iloc[-1]), 4),
                     "images/s": round(summary["train_images_per_second"]),
                     "minutes": round(summary["wall_seconds"] / 60, 1)})
    frame = pd.DataFrame(rows)
    if len(frame):
        base = frame.loc[frame["row"].isin(["baseline", "seed 1"]), "val acc (last)"]
        if len(base):  # against the mean of the baseline's seeds: their spread is the noise
            frame.insert(3, "vs baseline mean", (frame["val acc (last)"] - float(base.mean())).round(4))
        frame.to_csv(out / "ingredients.csv", index=False)
    return frame


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=False)
    parser.add_argument("--out", required=True)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--limit", type=int, default=12000, help="first N images of train_fit")
    parser.add_argument("--val-limit", type=int, default=None)
    parser.add_argument("--only", nargs="*", default=None, choices=list(ROWS), metavar="ROW",
                        help=f"rows to run (default: all): {', '.join(ROWS)}")
    parser.add_argument("--table", action="store_true", help="only print the table of the finished rows")
    args = parser.parse_args(argv)
    out = pathlib.Path(args.out).expanduser()
    if not args.table:
        if not args.data:
            parser.error("--data is required to train")
        for name in args.only or list(ROWS):
            summary = run_row(name, args)
            print(json.dumps({"row": name, "best_val_accuracy": summary["best_val_accuracy"]}), flush=True)
    frame = table(out)
    print(frame.to_markdown(index=False) if len(frame) else "no finished rows")


if __name__ == "__main__":
    main()
