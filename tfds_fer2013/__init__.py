"""TFDS builder `fer2013` over the FER2013 files a user holds; importing this package registers it.

Importing is cheap (no TensorFlow): the builder is registered at once when `tensorflow_datasets` is
already imported, otherwise right after it first is (`tfds_fer2013.import_hooks`). The file readers
in `tfds_fer2013.readers` need only numpy, pandas and PIL.

Example:
    >>> import tfds_fer2013, tensorflow_datasets as tfds
    >>> tfds.builder("fer2013").info.version
    Version('1.0.0')
"""

import importlib

from tfds_fer2013.import_hooks import run_after_import

#: The seven classes, in the label order of the original fer2013.csv (the one home of this list).
CLASS_NAMES = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
#: The splits, from the source's Usage Training / PublicTest / PrivateTest.
SPLITS = ("train", "public_test", "private_test")


def _register_builder() -> None:
    try:
        importlib.import_module("tfds_fer2013.fer2013_dataset_builder")
    except ImportError:  # pragma: no cover - a broken TensorFlow install
        pass


run_after_import("tensorflow_datasets", _register_builder)
