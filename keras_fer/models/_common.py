"""Pieces shared by the model classes: preprocessing head and the Keras-serialisable base."""

from __future__ import annotations

import keras

from keras_fer.layers.augmentation import FerAugmentation


def preprocessing_head(inputs, rescale=None, augmentation=None):
    """Optional layers in front of a model: `Rescaling(rescale)` then a training-only augmentation.

    Args:
        inputs: the model's `keras.Input`.
        rescale: a factor such as 1/255, or None.
        augmentation: None, True (the seed's settings) or a dict of `FerAugmentation` arguments.

    Returns:
        The tensor after the head (the inputs themselves when both are None).
    """
    x = inputs
    if rescale is not None:
        x = keras.layers.Rescaling(float(rescale), name="rescale")(x)
    if augmentation:
        kwargs = {} if augmentation is True else dict(augmentation)
        x = FerAugmentation(name="augmentation", **kwargs)(x)
    return x


class FerModel(keras.Model):
    """Base of the functional-subclass models: config in, config out (see DESIGN.md)."""

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable, **self._fer_config}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)
