"""Pieces shared by the model classes: preprocessing head and the Keras-serialisable base."""

from __future__ import annotations

import keras

from keras_fer.layers.augmentation import FerAugmentation
from keras_fer.layers.blur import InferenceBlur


def preprocessing_head(inputs, rescale=None, standardize=None, augmentation=None, inference_blur=None):
    """Optional layers in front of a model: inference-only blur, training-only augmentation, input scaling.

    With scaling inside the model, a saved `.keras` file takes raw 0..255 pixels, so whoever
    loads it cannot feed it differently scaled inputs by mistake.

    Args:
        inputs: the model's `keras.Input`.
        rescale: a factor such as 1/255 (Keras `Rescaling`), or None.
        standardize: `(mean, variance)` of the training pixels (Keras `Normalization`), or None.
        augmentation: None, True (the seed's settings) or a dict of `FerAugmentation` arguments.
        inference_blur: Gaussian sigma (pixels) of an `InferenceBlur`, for models trained on blurred
            images (see `keras_fer.domain`); None or 0 for none.

    Returns:
        The tensor after the head (the inputs themselves when all are None).
    """
    x = inputs
    if inference_blur:
        x = InferenceBlur(float(inference_blur), name="inference_blur")(x)
    if augmentation:
        kwargs = {} if augmentation is True else dict(augmentation)
        x = FerAugmentation(name="augmentation", **kwargs)(x)
    if rescale is not None and standardize is not None:
        raise ValueError("give rescale or standardize, not both")
    if rescale is not None:
        x = keras.layers.Rescaling(float(rescale), name="rescale")(x)
    if standardize is not None:
        mean, variance = (float(v) for v in standardize)
        x = keras.layers.Normalization(mean=mean, variance=variance, name="standardize")(x)
    return x


class FerModel(keras.Model):
    """Base of the functional-subclass models: config in, config out (see DESIGN.md)."""

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable, **self._fer_config}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)
