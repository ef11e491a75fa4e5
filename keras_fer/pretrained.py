"""Pretrained weights shipped inside the package: no download, SHA-256 checked, keyed by variable path.

Each bundled model is a weights file (`keras_fer/weights/<stem>.npz`, float16, one array per variable,
named by the variable's path such as `stage1_conv1/kernel`) and its manifest (`<stem>.json`:
SHA-256, accuracies, the command that trained it). `FerCNN(weights="fer2013")` is the course
report's CNN, `FerVGG(weights="fer2013")` the model trained for real photographs;
`load_pretrained()` builds `DEFAULT_ARCHITECTURE`, the one `keras-fer detect` and `predict pretrained`
use (raw 0..255 pixels in, seven probabilities out). See `docs/model_card.md`.

Example:
    >>> import numpy as np
    >>> from keras_fer.pretrained import load_pretrained
    >>> model = load_pretrained()                                         # doctest: +SKIP
    >>> model.predict(np.zeros((1, 48, 48, 1)), verbose=0).shape          # doctest: +SKIP
    (1, 7)

Bundling a new model (maintainers):
`python -m keras_fer.pretrained RUN/best.keras --architecture FerVGG --accuracy 0.67 --command "..."`
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import pathlib
from typing import Optional

import numpy as np

#: The names `weights=` accepts.
PRETRAINED = ("fer2013",)
#: The architectures with bundled weights, and each one's file stem.
_FILES = {"FerCNN": "fer_cnn_fer2013", "FerVGG": "fer_vgg_fer2013"}
#: The architecture that `load_pretrained()`, `EmotionDetector`, `keras-fer detect` and `predict
#: pretrained` use: the better one on FER2013's public_test and on real photographs (docs/results.md).
DEFAULT_ARCHITECTURE = "FerVGG"
_DIR = pathlib.Path(__file__).resolve().parent / "weights"


class PretrainedWeightsError(RuntimeError):
    """The bundled weights are missing, altered, or do not fit the model asked for."""


def _paths(name: str, architecture: str):
    if name not in PRETRAINED:
        raise ValueError(f"weights={name!r}: expected None or one of {PRETRAINED}")
    if architecture not in _FILES:
        raise ValueError(f"architecture={architecture!r}: bundled weights exist for {sorted(_FILES)}")
    stem = _DIR / _FILES[architecture]
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


def load_pretrained(name: str = "fer2013", logits: bool = False, architecture: Optional[str] = None):
    """A model with bundled weights: raw 0..255 48x48 grey faces in.

    Args:
        name: which bundled weights ("fer2013").
        logits: output logits instead of probabilities.
        architecture: "FerCNN" or "FerVGG"; default: `DEFAULT_ARCHITECTURE`.

    Returns:
        A `keras_fer.FerCNN` or `FerVGG`, ready for `predict` (and for fine-tuning: compile it first).
    """
    from keras_fer import models

    architecture = architecture or DEFAULT_ARCHITECTURE
    _paths(name, architecture)
    return getattr(models, architecture)(weights=name, logits=logits)


def bundle(model_path, accuracy: float, command: str, extra: Optional[dict] = None, name: str = "fer2013",
           architecture: str = "FerCNN") -> dict:
    """Writes a trained model's weights as the bundled float16 file of `architecture` and its manifest."""
    import keras

    from keras_fer import models
    from keras_fer.io import atomic_path, write_json

    weights, meta = _paths(name, architecture)
    model = keras.saving.load_model(model_path, compile=False)
    reference = getattr(models, architecture)(rescale=1 / 255)  # the architecture the bundled weights fit
    if {w.path: tuple(w.shape) for w in model.weights} != {w.path: tuple(w.shape) for w in reference.weights}:
        raise PretrainedWeightsError(f"{model_path}: not a {architecture} of the default architecture")
    scales = [layer.scale for layer in model.layers if isinstance(layer, keras.layers.Rescaling)]
    if len(scales) != 1 or abs(float(scales[0]) - 1 / 255) > 1e-9:
        raise PretrainedWeightsError(f"{model_path}: trained without rescale=1/255 inside the model")
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **{w.path: np.asarray(w).astype(np.float16) for w in model.weights})
    blob = buffer.getvalue()
    weights.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(weights) as tmp:
        pathlib.Path(tmp).write_bytes(blob)
    info = {"sha256": hashlib.sha256(blob).hexdigest(), "bytes": len(blob), "dtype": "float16",
            "architecture": f"{architecture}(rescale=1/255)", "params": int(model.count_params()),
            "public_test_accuracy": accuracy, "command": command, **(extra or {})}
    write_json(meta, info)
    return info


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m keras_fer.pretrained",
                                     description="bundle a trained model as the package's pretrained weights")
    parser.add_argument("model", help="best.keras of a run")
    parser.add_argument("--architecture", choices=sorted(_FILES), default="FerCNN")
    parser.add_argument("--accuracy", type=float, required=True, help="its public_test accuracy")
    parser.add_argument("--command", required=True, help="the command that trained it")
    parser.add_argument("--extra", default="{}", help="more manifest fields, as JSON")
    args = parser.parse_args(argv)
    info = bundle(args.model, args.accuracy, args.command, json.loads(args.extra), architecture=args.architecture)
    print(json.dumps(info, indent=2))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
