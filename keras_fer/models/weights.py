"""The bundled weights as files: which exist, their manifest, SHA-256 check, and setting them on a model by
variable path. (`keras_fer.pretrained` builds models with them; the models import only this module.)

Example:
    >>> sorted(name for architecture, name in _FILES if architecture == "FerVGG")
    ['fer2013', 'fer2013-course', 'fer2013-course2', 'fer2013-long']
"""

from __future__ import annotations

import hashlib
import io
import json
import pathlib
from typing import Optional

import numpy as np

from keras_fer.errors import ConfigError, KerasFerError

#: The names `weights=` accepts (not every architecture has each: see `_FILES`).
PRETRAINED = ("fer2013", "fer2013-course", "fer2013-course2", "fer2013-long")
#: The bundled weight sets, (architecture, name) -> file stem. FerVGG has four: `fer2013` (the `robust`
#: recipe, for detectors' framings and the light of photos), `fer2013-course` (the course report's
#: milder augmentation), `fer2013-course2` (the same, another seed, 34 epochs) and `fer2013-long` (the
#: same, 56 epochs on both cores); the default model is an ensemble of three of them (`DEFAULT_MODEL`).
_FILES = {("FerCNN", "fer2013"): "fer_cnn_fer2013", ("FerVGG", "fer2013"): "fer_vgg_fer2013",
          ("FerVGG", "fer2013-course"): "fer_vgg_fer2013_course",
          ("FerVGG", "fer2013-course2"): "fer_vgg_fer2013_course2", ("FerVGG", "fer2013-long"): "fer_vgg_fer2013_long"}
#: The architecture of a single pretrained model when none is named (`load_pretrained("fer2013")`).
DEFAULT_ARCHITECTURE = "FerVGG"
#: The model that `load_pretrained()`, `EmotionDetector`, `keras-fer detect`, `serve` and `predict
#: pretrained` use: these members' probabilities averaged, the best on the validation split, on FER2013's
#: public_test and on real photographs (docs/results.md).
DEFAULT_MODEL = (("FerVGG", "fer2013"), ("FerVGG", "fer2013-course"), ("FerVGG", "fer2013-course2"))
_DIR = pathlib.Path(__file__).resolve().parents[1] / "weights"


class PretrainedWeightsError(KerasFerError, RuntimeError):
    """The bundled weights are missing, altered, or do not fit the model asked for."""


def _paths(name: str, architecture: str):
    if name not in PRETRAINED:
        raise ConfigError(f"weights={name!r}: expected None or one of {PRETRAINED}")
    if (architecture, name) not in _FILES:
        have = sorted(n for a, n in _FILES if a == architecture)
        if not have:
            raise ConfigError(f"architecture={architecture!r}: bundled weights exist for "
                              f"{sorted({a for a, _ in _FILES})}")
        raise ConfigError(f"{architecture}: no bundled weights {name!r}; it has {have}")
    stem = _DIR / _FILES[(architecture, name)]
    return stem.with_suffix(".npz"), stem.with_suffix(".json")


def manifest(name: str = "fer2013", architecture: Optional[str] = None) -> dict:
    """What is known of the bundled weights: SHA-256, accuracies, training command, architecture."""
    weights, meta = _paths(name, architecture or DEFAULT_ARCHITECTURE)
    if not meta.is_file() or not weights.is_file():
        raise PretrainedWeightsError(
            f"the pretrained weights {name!r} of {architecture or DEFAULT_ARCHITECTURE} are not in this installation "
            f"({weights} is missing); reinstall keras-fer from a wheel or a full clone"
        )
    return json.loads(meta.read_text())


def _read_checked(name: str, architecture: str) -> dict:
    weights, _ = _paths(name, architecture)
    expected = manifest(name, architecture)["sha256"]
    blob = weights.read_bytes()
    actual = hashlib.sha256(blob).hexdigest()
    if actual != expected:
        raise PretrainedWeightsError(
            f"{weights}: SHA-256 {actual} does not match the manifest's {expected}: the file was altered "
            "or truncated; reinstall keras-fer"
        )
    with np.load(io.BytesIO(blob)) as arrays:
        return {key: arrays[key] for key in arrays.files}


def set_pretrained_weights(model, name: str = "fer2013") -> None:
    """Sets the bundled weights `name` of `type(model)` on `model`, variable by variable path."""
    architecture = type(model).__name__
    arrays = _read_checked(name, architecture)
    wanted = {w.path: tuple(w.shape) for w in model.weights}
    if {k: tuple(a.shape) for k, a in arrays.items()} != wanted:
        raise PretrainedWeightsError(
            f"weights={name!r} fit {architecture}'s default architecture (48x48x1 input, 7 classes); this "
            "model's variables have other names or shapes"
        )
    for w in model.weights:
        w.assign(arrays[w.path].astype(w.dtype))
