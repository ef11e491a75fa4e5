"""keras-fer: a Keras 3 model zoo for facial-expression recognition on FER2013.

Importing `keras_fer` registers the TFDS builder `fer2013` when tensorflow_datasets is importable;
the models, layers and callbacks need only Keras (any backend).

Example:
    >>> import keras_fer
    >>> keras_fer.CLASS_NAMES[3]
    'happy'
"""

from tfds_fer2013.readers import CLASS_NAMES  # noqa: F401  (one list, shared with the builder)

__version__ = "0.1.0"

try:  # registers tfds.load("fer2013"); optional so JAX/PyTorch users need no TensorFlow
    import tfds_fer2013.fer2013_dataset_builder  # noqa: F401
except ImportError:  # pragma: no cover - exercised by the no-TensorFlow CI job
    pass

from keras_fer import callbacks, data, layers, models, recipes  # noqa: E402,F401
from keras_fer.models import FerCNN, FerDNN, ensemble, flip_tta, solve_widths  # noqa: E402,F401
from keras_fer.pretrained import load_pretrained  # noqa: E402,F401
from keras_fer.detect import EmotionDetector  # noqa: E402,F401
