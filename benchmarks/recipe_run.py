"""Train a model on all of FER2013 with a variant of a named recipe (fields overridden from JSON).

For recipe experiments at full scale: the run folder is a normal `keras-fer train` run (history.csv,
best.keras, summary.json; config.json records every recipe field), so `benchmarks/recipe_compare.py`
reads it beside the named recipes' runs.

Run: python benchmarks/recipe_run.py runs/fast-ramp30 '{"dropout_ramp_epochs": 30, "augment_ramp_epochs": 30}' \
         --base fast --epochs 12 --data ../shared/fer2013
     python benchmarks/recipe_run.py runs/course30 '{"augmentation": null}' --base robust --model vgg \
         --epochs 30 --data ../shared/fer2013
"""

import argparse
import dataclasses
import json

from keras_fer.recipes import RECIPES, get_recipe
from keras_fer.training import MODELS, TrainConfig, train


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("fields", help='JSON object of Recipe fields to change, e.g. {"learning_rate": 1e-3}')
    parser.add_argument("--base", default="fast", choices=RECIPES)
    parser.add_argument("--model", default="cnn", choices=MODELS)
    parser.add_argument("--name", default=None, help="the variant's name (default: OUT's last part)")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--data", required=True)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    fields = json.loads(args.fields)
    known = {f.name for f in dataclasses.fields(get_recipe(args.base))}
    unknown = sorted(set(fields) - known)
    if unknown:
        parser.error(f"unknown Recipe fields {unknown}; expected some of {sorted(known)}")
    name = args.name or args.out.rstrip("/").split("/")[-1]
    recipe = dataclasses.replace(get_recipe(args.base), name=name, **fields)
    config = TrainConfig(model=args.model, data=args.data, epochs=args.epochs, limit=args.limit, recipe=args.base,
                         seed=args.seed)
    summary = train(config, args.out, verbose=2, recipe=recipe)
    print(json.dumps({k: summary[k] for k in ("best_val_accuracy", "best_epoch") if k in summary}))


if __name__ == "__main__":
    main()
