"""`ensemble`: one Keras model that averages its members' class probabilities."""

from __future__ import annotations

from keras_fer.errors import ConfigError

from typing import Sequence

import keras


def ensemble(models: Sequence[keras.Model], name: str = "fer_ensemble") -> keras.Model:
    """Builds a functional model whose output is the mean of the members' outputs.

    The members must output probabilities (softmax) of the same classes from the same input shape.
    The result is a plain Keras functional model: it saves to `.keras` and loads with
    `keras.saving.load_model` like any other.

    Args:
        models: one or more Keras models with equal input and output shapes (left as they are:
            members with the same name enter under new names, the callers' models keep theirs).
        name: the ensemble's name.

    Returns:
        A `keras.Model` mapping images to averaged class probabilities.

    Raises:
        ValueError: fewer than one model, or members whose input or output shapes differ.

    Example:
        >>> from keras_fer import FerCNN, FerDNN, ensemble
        >>> ensemble([FerCNN(name="a"), FerDNN(name="b")]).output_shape
        (None, 7)
    """
    models = list(models)
    if not models:
        raise ConfigError("ensemble: expected at least one model, got none")
    in_shape, out_shape = tuple(models[0].input_shape), tuple(models[0].output_shape)
    for m in models[1:]:
        if tuple(m.input_shape) != in_shape or tuple(m.output_shape) != out_shape:
            raise ConfigError(
                f"ensemble: model {m.name!r} maps {tuple(m.input_shape)} -> {tuple(m.output_shape)}, "
                f"but {models[0].name!r} maps {in_shape} -> {out_shape}; members must match"
            )
    names = [m.name for m in models]
    if len(set(names)) != len(names):  # layer names inside one model must be unique
        # a functional twin under a new name shares the member's layers and weights
        models = [keras.Model(m.inputs[0], m.outputs[0], name=f"{m.name}_{i}") for i, m in enumerate(models)]
    inputs = keras.Input(shape=in_shape[1:], name="image")
    outputs = [m(inputs) for m in models]
    mean = outputs[0] if len(outputs) == 1 else keras.layers.Average(name="mean_probability")(outputs)
    return keras.Model(inputs, mean, name=name)
