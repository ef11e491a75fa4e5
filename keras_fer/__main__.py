"""`python -m keras_fer` is the `keras-fer` command."""

import sys

from keras_fer.cli import main

if __name__ == "__main__":
    sys.exit(main())
