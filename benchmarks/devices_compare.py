"""1 device against 2 (virtual CPU devices) for the same small FerCNN configuration, TensorFlow backend:
best public_test accuracy and images/s of each, in one process, one after the other.

Run: python benchmarks/devices_compare.py --data ../shared/fer2013 [--limit 4096] [--epochs 2]
"""

import argparse
import tempfile

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import pandas as pd  # noqa: E402

from keras_fer.training import TrainConfig, train  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="../shared/fer2013")
    parser.add_argument("--limit", type=int, default=4096)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for devices in (None, 2):
            config = TrainConfig(model="cnn", data=args.data, epochs=args.epochs, limit=args.limit, seed=0,
                                 devices=devices)
            summary = train(config, f"{tmp}/{devices}", verbose=0)
            rows.append({"devices": devices or 1, "epochs": summary["epochs"],
                         "best public_test accuracy": round(summary["best_val_accuracy"], 4),
                         "training images/s": round(summary["train_images_per_second"])})
    print(f"FerCNN, seed recipe, first {args.limit} training images, {args.epochs} epochs, all of public_test\n")
    print(pd.DataFrame(rows).to_markdown(index=False))


if __name__ == "__main__":
    main()
