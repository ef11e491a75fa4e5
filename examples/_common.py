"""Shared pieces of the examples: arguments (data folder, epochs, limit, output) and running commands."""

import argparse
import pathlib
import sys

from keras_fer.cli import main as keras_fer_main

DEFAULT_DATA = pathlib.Path(__file__).resolve().parents[2] / "shared" / "fer2013"


def parse(description, epochs=100):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="folder with the FER2013 files")
    parser.add_argument("--epochs", type=int, default=epochs)
    parser.add_argument("--limit", type=int, default=None, help="first N training images (quick runs)")
    parser.add_argument("--out", default="runs/examples")
    return parser.parse_args()


def limit_args(args):
    return ["--limit", str(args.limit), "--val-limit", str(max(args.limit // 4, 64))] if args.limit else []


def keras_fer(argv):
    """Runs one `keras-fer` command; stops the example if it fails."""
    status = keras_fer_main(argv)
    if status:
        sys.exit(status)
