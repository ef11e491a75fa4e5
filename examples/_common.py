"""Shared pieces of the examples: arguments (data folder, epochs, limit, output) and one training run
through the Python API (`keras_fer.training.train`, what `keras-fer train` calls)."""

import argparse
import pathlib

from keras_fer.training import TrainConfig, train

DEFAULT_DATA = pathlib.Path(__file__).resolve().parents[2] / "shared" / "fer2013"


def parse(description, epochs=100):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="folder with the FER2013 files")
    parser.add_argument("--epochs", type=int, default=epochs)
    parser.add_argument("--limit", type=int, default=None, help="first N training images (quick runs)")
    parser.add_argument("--out", default="runs/examples")
    return parser.parse_args()


def run(args, name, **settings):
    """Trains (or resumes, or finds finished) the run `args.out/name` with `settings` (TrainConfig fields);
    returns its summary."""
    limits = dict(limit=args.limit, val_limit=max(args.limit // 4, 64)) if args.limit else {}
    config = TrainConfig(data=args.data, epochs=args.epochs, **limits, **settings)
    return train(config, pathlib.Path(args.out) / name)
