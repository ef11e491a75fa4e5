"""Shared argument parsing of the examples (data folder, epochs, limit, output folder)."""

import argparse


def parse(description, epochs=100):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", default="../shared/fer2013", help="folder with the FER2013 files")
    parser.add_argument("--epochs", type=int, default=epochs)
    parser.add_argument("--limit", type=int, default=None, help="first N training images (quick runs)")
    parser.add_argument("--out", default="runs/examples")
    return parser.parse_args()


def limit_args(args):
    return ["--limit", str(args.limit), "--val-limit", str(max(args.limit // 4, 64))] if args.limit else []
