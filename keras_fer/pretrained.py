"""Pretrained FerCNN weights shipped inside the package: no download, SHA-256 checked at load.

The weights file (`keras_fer/weights/fer_cnn_fer2013.npz`, float16) and its manifest
(`fer_cnn_fer2013.json`: SHA-256, public_test accuracy, the command that trained it) are package data.
`load_pretrained()` and `FerCNN(weights="fer2013")` build `FerCNN(rescale=1/255)` (raw 0..255 pixels
in, seven probabilities out) and set those weights. See `docs/model_card.md`.

Example:
    >>> import numpy as np
    >>> from keras_fer.pretrained import load_pretrained
    >>> model = load_pretrained()                                         # doctest: +SKIP
    >>> model.predict(np.zeros((1, 48, 48, 1)), verbose=0).shape          # doctest: +SKIP
    (1, 7)

Bundling a new model (maintainers): `python -m keras_fer.pretrained RUN/best.keras --accuracy 0.67 ...`
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
_DIR = pathlib.Path(__file__).resolve().parent / "weights"
_FILES = {"fer2013": "fer_cnn_fer2013"}


class PretrainedWeightsError(RuntimeError):
    """The bundled weights are missing, altered, or do not fit the model asked for."""


def _paths(name: str):
    if name not in PRETRAINED:
        raise ValueError(f"weights={name!r}: expected None or one of {PRETRAINED}")
    stem = _DIR / _FILES[name]
    return stem.with_suffix(".npz"), stem.with_suffix(".json")


def manifest(name: str = "fer2013") -> dict:
    """What is known of the bundled weights `name`: SHA-256, accuracy, training command, classes."""
    weights, meta = _paths(name)
    if not meta.is_file() or not weights.is_file():
        raise PretrainedWeightsError(
            f"the pretrained weights {name!r} are not in this installation ({weights} is missing); "
            "reinstall keras-fer from a wheel or a full clone"
        )
    return json.loads(meta.read_text())


def _read_checked(name: str) -> list:
    weights, _ = _paths(name)
    expected = manifest(name)["sha256"]
    blob = weights.read_bytes()
    actual = hashlib.sha256(blob).hexdigest()
    if actual != expected:
        raise PretrainedWeightsError(
            f"{weights}: SHA-256 {actual} does not match the manifest's {expected}: the file was altered "
            "or truncated; reinstall keras-fer"
        )
    with np.load(io.BytesIO(blob)) as arrays:
        return [arrays[f"w{i:03d}"] for i in range(len(arrays.files))]


def set_pretrained_weights(model, name: str = "fer2013") -> None:
    """Sets the bundled weights `name` on `model` (a `FerCNN` of the default architecture)."""
    arrays = _read_checked(name)
    shapes = [tuple(w.shape) for w in model.weights]
    if [tuple(a.shape) for a in arrays] != shapes:
        raise PretrainedWeightsError(
            f"weights={name!r} fit FerCNN's default architecture (48x48x1 input, 7 classes, filters "
            "64/128/256/256, kernel 5, dense 256); this model's weights have other shapes"
        )
    model.set_weights([a.astype(w.dtype) for a, w in zip(arrays, model.weights)])


def load_pretrained(name: str = "fer2013", logits: bool = False):
    """`FerCNN(rescale=1/255)` with the bundled weights: raw 0..255 48x48 grey faces in.

    Args:
        name: which bundled weights ("fer2013").
        logits: output logits instead of probabilities.

    Returns:
        A `keras_fer.FerCNN`, ready for `predict` (and for fine-tuning: compile it first).
    """
    from keras_fer.models import FerCNN

    return FerCNN(weights=name, logits=logits)


def bundle(model_path, accuracy: float, command: str, extra: Optional[dict] = None, name: str = "fer2013") -> dict:
    """Writes a trained FerCNN's weights as the bundled float16 file and its manifest; returns the manifest."""
    import keras

    from keras_fer.io import atomic_path, write_json

    model = keras.saving.load_model(model_path, compile=False)
    reference = _reference_model()
    if [tuple(w.shape) for w in model.weights] != [tuple(w.shape) for w in reference.weights]:
        raise PretrainedWeightsError(f"{model_path}: not a FerCNN of the default architecture")
    scales = [layer.scale for layer in model.layers if isinstance(layer, keras.layers.Rescaling)]
    if len(scales) != 1 or abs(float(scales[0]) - 1 / 255) > 1e-9:
        raise PretrainedWeightsError(f"{model_path}: trained without rescale=1/255 inside the model")
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **{f"w{i:03d}": np.asarray(w).astype(np.float16)
                                   for i, w in enumerate(model.get_weights())})
    blob = buffer.getvalue()
    weights, meta = _paths(name)
    weights.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(weights) as tmp:
        pathlib.Path(tmp).write_bytes(blob)
    info = {"sha256": hashlib.sha256(blob).hexdigest(), "bytes": len(blob), "dtype": "float16",
            "architecture": "FerCNN(rescale=1/255)", "params": int(model.count_params()),
            "public_test_accuracy": accuracy, "command": command, **(extra or {})}
    write_json(meta, info)
    return info


def _reference_model():
    from keras_fer.models import FerCNN

    return FerCNN(rescale=1 / 255)  # the architecture the bundled weights fit


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m keras_fer.pretrained",
                                     description="bundle a trained FerCNN as the package's pretrained weights")
    parser.add_argument("model", help="best.keras of a FerCNN run")
    parser.add_argument("--accuracy", type=float, required=True, help="its public_test accuracy")
    parser.add_argument("--command", required=True, help="the command that trained it")
    args = parser.parse_args(argv)
    print(json.dumps(bundle(args.model, args.accuracy, args.command), indent=2))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
