"""Pretrained weights shipped inside the package: no download, SHA-256 checked, keyed by variable path.

Each bundled model is a weights file (`keras_fer/weights/<stem>.npz`, float16, one array per variable,
named by the variable's path such as `stage1_conv1/kernel`) and its manifest (`<stem>.json`:
SHA-256, accuracies, the command that trained it). `FerCNN(weights="fer2013")` is the course
report's CNN; `FerVGG(weights="fer2013")` was trained for real photographs (the `robust` recipe),
`FerVGG(weights="fer2013-course")`, `"fer2013-course2"` (another seed) and `"fer2013-long"` (56 epochs,
the best single model on FER2013, not on photos) with the course report's augmentation.
`load_pretrained()` builds `DEFAULT_MODEL`, three FerVGGs' probabilities averaged: what `keras-fer
detect`, `serve` and `predict pretrained` use (raw 0..255 pixels in, seven probabilities out). See `docs/model_card.md`.

Example:
    >>> import numpy as np
    >>> from keras_fer.pretrained import load_pretrained
    >>> model = load_pretrained()                                         # doctest: +SKIP
    >>> model.predict(np.zeros((1, 48, 48, 1)), verbose=0).shape          # doctest: +SKIP
    (1, 7)

Bundling a new model (maintainers):
`python -m keras_fer.pretrained RUN/best.keras --architecture FerVGG --name fer2013 --accuracy 0.67 --command "..."`
"""

from __future__ import annotations


import argparse
import hashlib
import io
import json
import pathlib
from typing import Optional

import numpy as np

from keras_fer.errors import ConfigError
from keras_fer.models.weights import (_FILES, DEFAULT_ARCHITECTURE, DEFAULT_MODEL, PRETRAINED,  # noqa: F401
                                      PretrainedWeightsError, _paths, manifest, set_pretrained_weights)


def load_pretrained(name: Optional[str] = None, logits: bool = False, architecture: Optional[str] = None):
    """A model with bundled weights: raw 0..255 48x48 grey faces in.

    Args:
        name: which bundled weights (one of `PRETRAINED`: "fer2013", "fer2013-course", ...); with neither `name` nor
            `architecture`: the default model, `DEFAULT_MODEL`'s members averaged (`keras_fer.ensemble`).
        logits: output logits instead of probabilities (one model only: name it).
        architecture: "FerCNN" or "FerVGG"; default: `DEFAULT_ARCHITECTURE` when `name` is given.

    Returns:
        A `keras_fer.FerCNN` or `FerVGG`, or the default ensemble (a functional Keras model), ready for
        `predict` (and for fine-tuning: compile it first).
    """
    from keras_fer import models

    if name is None and architecture is None:
        if logits:
            raise ConfigError("load_pretrained(logits=True): the default model averages probabilities; name one "
                              f"member, e.g. load_pretrained('fer2013', logits=True) (members: {DEFAULT_MODEL})")
        members = [load_pretrained(n, architecture=a) for a, n in DEFAULT_MODEL]
        return members[0] if len(members) == 1 else models.ensemble(members, name="fer_pretrained")
    name = name or "fer2013"
    architecture = architecture or DEFAULT_ARCHITECTURE
    _paths(name, architecture)
    return getattr(models, architecture)(weights=name, logits=logits,
                                         name=f"{architecture.lower()}_{name.replace('-', '_')}")


def from_spec(spec: str):
    """The bundled model a command line names: "pretrained" (the default model), "pretrained:NAME" (one
    weight set of `DEFAULT_ARCHITECTURE`), "pretrained:ARCHITECTURE" or "pretrained:ARCHITECTURE:NAME".

    Example:
        >>> from_spec("pretrained:FerCNN").name
        'fercnn_fer2013'
    """
    from keras_fer import models

    head, *parts = str(spec).split(":")
    if head != "pretrained" or len(parts) > 2 or not all(parts):
        raise ConfigError(f"{spec!r}: expected pretrained, pretrained:NAME, pretrained:ARCHITECTURE or "
                          f"pretrained:ARCHITECTURE:NAME (names: {PRETRAINED})")
    if not parts:
        return load_pretrained()
    architecture = parts[0] if len(parts) == 2 or hasattr(models, parts[0]) else None
    name = parts[-1] if len(parts) == 2 or architecture is None else None
    return load_pretrained(name, architecture=architecture or DEFAULT_ARCHITECTURE)


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
    parser.add_argument("--architecture", choices=sorted({a for a, _ in _FILES}), default="FerCNN")
    parser.add_argument("--name", choices=PRETRAINED, default="fer2013", help="which weight set of it")
    parser.add_argument("--accuracy", type=float, required=True, help="its public_test accuracy")
    parser.add_argument("--command", required=True, help="the command that trained it")
    parser.add_argument("--extra", default="{}", help="more manifest fields, as JSON")
    args = parser.parse_args(argv)
    info = bundle(args.model, args.accuracy, args.command, json.loads(args.extra), name=args.name,
                  architecture=args.architecture)
    print(json.dumps(info, indent=2))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
