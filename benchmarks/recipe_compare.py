"""Epochs (and wall time) to reach 0.60 / 0.65 / 0.67 public_test accuracy, per run folder; table + plot.

Run: python benchmarks/recipe_compare.py ~/runs/fast30 [~/runs/seed100 ...] --plot docs/recipe_compare.png
"""

import argparse
import json
import pathlib

import pandas as pd

from keras_fer.plots import _pyplot

THRESHOLDS = (0.60, 0.65, 0.67)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--plot", default=None)
    args = parser.parse_args()
    rows, histories = [], {}
    for run in map(pathlib.Path, args.runs):
        history = pd.read_csv(run / "history.csv")
        settings = json.loads((run / "config.json").read_text())["settings"]
        recipe = settings.get("recipe_fields", {}).get("name", settings["recipe"])  # variants have their own
        name = f"{run.name} ({recipe})"
        histories[name] = history
        row = {"run": name, "epochs": len(history), "best val acc": round(history["val_accuracy"].max(), 4),
               "at epoch": int(history.loc[history["val_accuracy"].idxmax(), "epoch"])}
        for t in THRESHOLDS:
            hit = history[history["val_accuracy"] >= t]
            if len(hit):
                epoch = int(hit["epoch"].iloc[0])
                minutes = history.loc[history["epoch"] <= epoch, "epoch_seconds"].sum() / 60
                row[f"epochs to {t:.2f}"] = f"{epoch} ({minutes:.0f} min)"
            else:
                row[f"epochs to {t:.2f}"] = f"not in {len(history)}"
        row["wall time"] = f"{history['epoch_seconds'].sum() / 60:.0f} min"
        rows.append(row)
    print(pd.DataFrame(rows).to_markdown(index=False))
    if args.plot:
        plt = _pyplot()
        fig, ax = plt.subplots(figsize=(7, 4.2))
        for name, history in histories.items():
            ax.plot(history["epoch"], history["val_accuracy"], marker=".", label=name)
        for t in THRESHOLDS:
            ax.axhline(t, color="grey", linestyle=":", linewidth=0.8)
        ax.set_xlabel("epoch")
        ax.set_ylabel("public_test accuracy")
        ax.grid(alpha=0.3)
        ax.legend()
        fig.tight_layout()
        fig.savefig(args.plot, dpi=110)


if __name__ == "__main__":
    main()
