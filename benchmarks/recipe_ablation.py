"""Short ablations that chose the `fast` recipe: each change to the seed recipe, measured on FER2013.

Each variant trains FerCNN for `--epochs` on the first `--limit` training images and reports
public_test accuracy per epoch (first `--val-limit` images). Results: a CSV and a markdown table.

Run: python benchmarks/recipe_ablation.py --data ../shared/fer2013 --out runs/ablation
"""

import argparse
import dataclasses
import json
import pathlib

import pandas as pd

from keras_fer.recipes import SEED
from keras_fer.training import TrainConfig, train


def variants(epochs):
    cosine = dataclasses.replace(SEED, name="seed+cosine", schedule="warmup_cosine", warmup_epochs=0.5)
    dropout = dataclasses.replace(cosine, name="+dropout ramp", dropout_start=0.25, dropout_ramp_epochs=epochs - 1)
    augment = dataclasses.replace(dropout, name="+augment ramp", augment_start=0.5, augment_ramp_epochs=epochs - 1)
    smooth = dataclasses.replace(augment, name="+label smoothing", label_smoothing=0.1)
    batch = dataclasses.replace(smooth, name="+batch 64, adamw 2e-3", batch_size=64, optimizer="adamw",
                                learning_rate=2e-3, weight_decay=1e-4)
    return [SEED, cosine, dropout, augment, smooth, batch]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", default="runs/ablation")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--limit", type=int, default=6000)
    parser.add_argument("--val-limit", type=int, default=1500)
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    rows = []
    for i, recipe in enumerate(variants(args.epochs)):
        if args.only and recipe.name not in args.only:
            continue
        config = TrainConfig(model="cnn", data=args.data, epochs=args.epochs, limit=args.limit,
                             val_limit=args.val_limit, recipe="seed")
        summary = train(config, pathlib.Path(args.out) / f"v{i}", verbose=2, recipe=recipe)
        history = pd.read_csv(pathlib.Path(args.out) / f"v{i}" / "history.csv")
        row = {"variant": recipe.name, **{f"val@{e}": round(v, 4) for e, v in zip(history["epoch"], history["val_accuracy"])},
               "train acc (last)": round(history["accuracy"].iloc[-1], 4),
               "images/s": round(summary["train_images_per_second"])}
        rows.append(row)
        print(json.dumps(row), flush=True)
    table = pd.DataFrame(rows)
    table.to_csv(pathlib.Path(args.out) / "ablation.csv", index=False)
    print(table.to_markdown(index=False))


if __name__ == "__main__":
    main()
