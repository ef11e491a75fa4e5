"""`python -m keras_fer` is the `keras-fer` command."""

import sys

from keras_fer.cli import main

sys.exit(main())
