"""TFDS builder `fer2013` over the FER2013 files a user holds; importing this package registers it.

The file readers in `tfds_fer2013.readers` need only numpy, pandas and PIL; the builder itself is
imported (and registered) only when tensorflow_datasets is importable.

Example:
    >>> import tfds_fer2013, tensorflow_datasets as tfds
    >>> tfds.builder("fer2013").info.version
    Version('1.0.0')
"""

from tfds_fer2013.readers import CLASS_NAMES, MANUAL_DOWNLOAD_INSTRUCTIONS  # noqa: F401

try:  # registering needs tensorflow_datasets (and, through it, TensorFlow)
    from tfds_fer2013.fer2013_dataset_builder import Builder  # noqa: F401
except ImportError:  # pragma: no cover - exercised by the no-TensorFlow install
    Builder = None
