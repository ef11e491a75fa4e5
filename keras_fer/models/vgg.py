"""`FerVGG`: 3x3 convolutions with BatchNorm in VGG stages, built for accuracy per FLOP at 48x48."""

from __future__ import annotations

from keras_fer.errors import ConfigError

import keras
from keras import layers

from keras_fer.models._common import (FerModel, check_kwargs, dtype_name, dtype_scope, preprocessing_head,
                                      pretrained_rescale, shared_args_doc)
from keras_fer.models.budget import check_shape


@shared_args_doc
@keras.saving.register_keras_serializable(package="keras_fer")
class FerVGG(FerModel):
    """A VGG-style backbone (stages of `convs_per_stage` x [Conv 3x3 -> BN -> ReLU], then MaxPool and
    Dropout) and a classifier (Flatten -> Dense -> BN -> ReLU -> Dropout -> Dense(num_classes)).

    With the defaults: 4 stages of 32/64/128/256 filters, about 0.12 GMAC per 48x48 image (the course
    report's CNN: 0.30) and 1.77 M parameters. `negative_slope` 0 is ReLU.

    Args:
        input_shape: `(H, W, C)`, H and W >= 16.
        num_classes: number of classes (>= 2).
        filters: filters of the stages (one MaxPool after each).
        convs_per_stage: 3x3 convolutions per stage.
        dense_units: width of the hidden Dense layer.
        weights: None (random initialisation) or "fer2013": the pretrained weights shipped in the
            package (`keras_fer.pretrained`; no download), for the default architecture; they expect raw
            0..255 pixels, so `rescale` defaults to 1/255 with them.
        {shared_args}

    Example:
        >>> from keras_fer.models import FerVGG
        >>> FerVGG().count_params()
        1767207
    """

    _config_keys = ("input_shape", "num_classes", "filters", "convs_per_stage", "dense_units", "dropout",
                    "head_dropout", "negative_slope", "logits", "rescale", "standardize", "augmentation", "dtype")

    def __init__(
        self,
        input_shape=(48, 48, 1),
        num_classes=7,
        filters=(32, 64, 128, 256),
        convs_per_stage=2,
        dense_units=256,
        dropout=0.1,
        head_dropout=0.5,
        negative_slope=0.0,
        logits=False,
        rescale=None,
        standardize=None,
        augmentation=None,
        weights=None,
        dtype=None,
        name="fer_vgg",
        **kwargs,
    ):
        check_kwargs(type(self).__name__, kwargs)
        rescale = pretrained_rescale(type(self).__name__, weights, rescale, standardize)
        input_shape, num_classes = check_shape(input_shape, num_classes)
        filters = [int(f) for f in filters]
        convs_per_stage = int(convs_per_stage)
        if convs_per_stage < 1:
            raise ConfigError(f"FerVGG: convs_per_stage={convs_per_stage!r}, expected >= 1")

        # === Functional Model ===
        with dtype_scope(dtype):  # every layer, the classifier's float32 aside, under `dtype`
            inputs = keras.Input(shape=input_shape, name="image")
            x = preprocessing_head(inputs, rescale, standardize, augmentation)
            for i, n in enumerate(filters, start=1):
                for j in range(1, convs_per_stage + 1):
                    x = layers.Conv2D(n, 3, padding="same", use_bias=False, name=f"stage{i}_conv{j}")(x)
                    x = layers.BatchNormalization(name=f"stage{i}_bn{j}")(x)
                    x = layers.LeakyReLU(negative_slope, name=f"stage{i}_act{j}")(x)
                x = layers.MaxPooling2D(2, name=f"stage{i}_pool")(x)
                x = layers.Dropout(dropout, name=f"stage{i}_dropout")(x)
            x = layers.Flatten(name="flatten")(x)
            x = layers.Dense(dense_units, use_bias=False, name="dense")(x)
            x = layers.BatchNormalization(name="dense_bn")(x)
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
        self.convs_per_stage = convs_per_stage
        self.dense_units = dense_units
        self.keep_shared_args(dropout, head_dropout, negative_slope, logits, rescale, standardize, augmentation)
