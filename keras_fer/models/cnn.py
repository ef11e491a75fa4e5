"""`FerCNN`: the course report's VGG-like CNN (3,258,379 parameters with the defaults)."""

from __future__ import annotations

import keras
from keras import layers

from keras_fer.models._common import (FerModel, check_kwargs, dtype_name, dtype_scope, preprocessing_head,
                                      pretrained_rescale, shared_args_doc)
from keras_fer.models.budget import check_shape


@shared_args_doc
@keras.saving.register_keras_serializable(package="keras_fer")
class FerCNN(FerModel):
    """The course report's CNN, layer for layer: four blocks BN -> Conv 5x5 -> LeakyReLU -> MaxPool -> Dropout,
    then Flatten -> Dense(256) -> LeakyReLU -> Dropout -> Dense(num_classes, softmax).

    Args:
        input_shape: `(H, W, C)`, H and W >= 16.
        num_classes: number of classes (>= 2).
        filters: filters of the four conv blocks.
        kernel_size: conv kernel size.
        dense_units: width of the hidden Dense layer.
        weights: None (random initialisation) or "fer2013": the pretrained weights shipped in the
            package (`keras_fer.pretrained`; no download). They fit the default architecture and
            expect raw 0..255 pixels, so `rescale` defaults to 1/255 with them.
        {shared_args}

    Example:
        >>> from keras_fer import FerCNN
        >>> FerCNN().count_params()
        3258379
    """

    _config_keys = ("input_shape", "num_classes", "filters", "kernel_size", "dense_units", "dropout",
                    "head_dropout", "negative_slope", "logits", "rescale", "standardize", "augmentation", "dtype")

    def __init__(
        self,
        input_shape=(48, 48, 1),
        num_classes=7,
        filters=(64, 128, 256, 256),
        kernel_size=5,
        dense_units=256,
        dropout=0.4,
        head_dropout=0.5,
        negative_slope=0.2,
        logits=False,
        rescale=None,
        standardize=None,
        augmentation=None,
        weights=None,
        dtype=None,
        name="fer_cnn",
        **kwargs,
    ):
        check_kwargs(type(self).__name__, kwargs)
        rescale = pretrained_rescale(type(self).__name__, weights, rescale, standardize)
        input_shape, num_classes = check_shape(input_shape, num_classes)
        filters = [int(f) for f in filters]

        # === Functional Model ===
        with dtype_scope(dtype):  # every layer, the classifier's float32 aside, under `dtype`
            inputs = keras.Input(shape=input_shape, name="image")
            x = preprocessing_head(inputs, rescale, standardize, augmentation)
            for i, n in enumerate(filters, start=1):
                x = layers.BatchNormalization(name=f"block{i}_bn")(x)
                x = layers.Conv2D(n, kernel_size, padding="same", name=f"block{i}_conv")(x)
                x = layers.LeakyReLU(negative_slope, name=f"block{i}_act")(x)
                x = layers.MaxPooling2D(2, name=f"block{i}_pool")(x)
                x = layers.Dropout(dropout, name=f"block{i}_dropout")(x)
            x = layers.Flatten(name="flatten")(x)
            x = layers.Dense(dense_units, name="dense")(x)
            x = layers.LeakyReLU(negative_slope, name="dense_act")(x)
            x = layers.Dropout(head_dropout, name="dense_dropout")(x)
            self._init_functional(inputs, x, num_classes, logits, name, kwargs)
        self.dtype_arg = dtype_name(dtype)
        if weights is not None:
            from keras_fer.models.weights import set_pretrained_weights

            set_pretrained_weights(self, weights)

        # === Config ===
        self.num_classes = num_classes
        self.filters = filters
        self.kernel_size = kernel_size
        self.dense_units = dense_units
        self.keep_shared_args(dropout, head_dropout, negative_slope, logits, rescale, standardize, augmentation)
