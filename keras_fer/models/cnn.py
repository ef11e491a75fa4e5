"""`FerCNN`: the seed report's VGG-like CNN (3,258,379 parameters with the defaults)."""

from __future__ import annotations

import keras
from keras import layers

from keras_fer.models._common import FerModel, preprocessing_head
from keras_fer.models.budget import check_shape


@keras.saving.register_keras_serializable(package="keras_fer")
class FerCNN(FerModel):
    """The seed's CNN, layer for layer: four blocks BN -> Conv 5x5 -> LeakyReLU -> MaxPool -> Dropout,
    then Flatten -> Dense(256) -> LeakyReLU -> Dropout -> Dense(num_classes, softmax).

    Args:
        input_shape: `(H, W, C)`, H and W >= 16.
        num_classes: number of classes (>= 2).
        filters: filters of the four conv blocks.
        kernel_size: conv kernel size.
        dense_units: width of the hidden Dense layer.
        conv_dropout: dropout rate after each conv block.
        dense_dropout: dropout rate after the hidden Dense layer.
        negative_slope: LeakyReLU slope.
        logits: output logits instead of softmax probabilities.
        rescale: optional input scale (e.g. 1/255) applied in the model.
        standardize: optional `(mean, variance)` of training pixels, applied in the model.
        augmentation: None, True or `FerAugmentation` kwargs: training-only augmentation in the model.
        inference_blur: Gaussian sigma of an inference-only blur in front (`InferenceBlur`), for a model
            trained on blurred images; None for none. No weights: the parameter count is unchanged.
        name: model name.

    Example:
        >>> from keras_fer import FerCNN
        >>> FerCNN().count_params()
        3258379
    """

    def __init__(
        self,
        input_shape=(48, 48, 1),
        num_classes=7,
        filters=(64, 128, 256, 256),
        kernel_size=5,
        dense_units=256,
        conv_dropout=0.4,
        dense_dropout=0.5,
        negative_slope=0.2,
        logits=False,
        rescale=None,
        standardize=None,
        augmentation=None,
        inference_blur=None,
        name="fer_cnn",
        **kwargs,
    ):
        input_shape, num_classes = check_shape(input_shape, num_classes)
        filters = [int(f) for f in filters]
        inputs = keras.Input(shape=input_shape, name="image")
        x = preprocessing_head(inputs, rescale, standardize, augmentation, inference_blur)
        for i, n in enumerate(filters, start=1):
            x = layers.BatchNormalization(name=f"block{i}_bn")(x)
            x = layers.Conv2D(n, kernel_size, padding="same", name=f"block{i}_conv")(x)
            x = layers.LeakyReLU(negative_slope, name=f"block{i}_act")(x)
            x = layers.MaxPooling2D(2, name=f"block{i}_pool")(x)
            x = layers.Dropout(conv_dropout, name=f"block{i}_dropout")(x)
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(dense_units, name="dense")(x)
        x = layers.LeakyReLU(negative_slope, name="dense_act")(x)
        x = layers.Dropout(dense_dropout, name="dense_dropout")(x)
        outputs = layers.Dense(
            num_classes, activation=None if logits else "softmax", dtype="float32", name="predictions"
        )(x)
        super().__init__(inputs=inputs, outputs=outputs, name=name, **kwargs)
        self._fer_config = dict(
            input_shape=list(input_shape), num_classes=num_classes, filters=filters,
            kernel_size=kernel_size, dense_units=dense_units, conv_dropout=conv_dropout,
            dense_dropout=dense_dropout, negative_slope=negative_slope, logits=logits,
            rescale=rescale, standardize=list(standardize) if standardize else None,
            augmentation=augmentation, inference_blur=inference_blur,
        )
