"""keras-fer: a Keras 3 model zoo for facial-expression recognition on FER2013.

Importing `keras_fer` is cheap: it loads Keras only when a model, layer or callback is first used
(`keras_fer.FerCNN`, `keras_fer.models`, ...), and registers the TFDS builder `fer2013` and its Keras
classes (so saved models load) as soon as tensorflow_datasets and Keras are imported.

Example:
    >>> import keras_fer
    >>> keras_fer.CLASS_NAMES[3]
    'happy'
    >>> keras_fer.FerCNN().count_params()
    3258379
"""

import importlib

import tfds_fer2013  # noqa: F401  (registers tfds.load("fer2013"))
from tfds_fer2013 import CLASS_NAMES  # noqa: F401  (one list, shared with the builder)
from tfds_fer2013.import_hooks import run_after_import

__version__ = "0.1.0"

_SUBMODULES = ("callbacks", "data", "detect", "export", "layers", "models", "pretrained", "recipes", "training")
_ATTRIBUTES = {
    "FerCNN": "keras_fer.models", "FerDNN": "keras_fer.models", "FerVGG": "keras_fer.models", "ensemble": "keras_fer.models",
    "flip_tta": "keras_fer.models", "zoom_tta": "keras_fer.models", "solve_widths": "keras_fer.models",
    "load_pretrained": "keras_fer.pretrained", "EmotionDetector": "keras_fer.detect",
}


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"keras_fer.{name}")
    if name in _ATTRIBUTES:
        return getattr(importlib.import_module(_ATTRIBUTES[name]), name)
    raise AttributeError(f"module 'keras_fer' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES) + list(_ATTRIBUTES))


def _register_keras_classes() -> None:
    """FerCNN, FerDNN and FerAugmentation become loadable (`keras.saving.load_model`) with Keras."""
    importlib.import_module("keras_fer.models")


run_after_import("keras", _register_keras_classes)
