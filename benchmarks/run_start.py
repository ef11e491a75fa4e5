"""CPU seconds of a one-epoch `keras-fer train` on a small fixture (140 images): what a short run or a
test pays before and around its first epoch (tracing, compiling, the run folder), not the epoch's work.

Run: python benchmarks/run_start.py --model vgg --recipe robust     (any `keras-fer train` flags)
The first run in the process also prepares the fixture and imports; the second is the figure.
"""

import os
import pathlib
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main(flags):
    from tfds_fer2013.testing import write_fer2013_csv

    root = pathlib.Path(tempfile.mkdtemp(prefix="keras-fer-run-start-"))
    os.environ.update(TFDS_DATA_DIR=str(root / "tfds"), KERAS_FER_CACHE=str(root / "cache"))
    write_fer2013_csv(root / "fer", n_train=140, n_public=35)
    from keras_fer import cli

    for i in range(2):
        start = time.process_time()
        assert cli.main(["train", *flags, "--epochs", "1", "--data", str(root / "fer"), "--out", str(root / f"run{i}")]) == 0
        print(f"run {i + 1}: {time.process_time() - start:.1f} CPU-s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
