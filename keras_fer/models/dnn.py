"""`FerDNN`: the course report's fully connected network, sized to any parameter budget exactly."""

from __future__ import annotations

from keras_fer.errors import ConfigError

import keras
from keras import layers

from keras_fer.models._common import (FerModel, check_kwargs, dtype_name, dtype_scope, preprocessing_head,
                                      shared_args_doc)
from keras_fer.models.budget import SEED_DNN_WIDTHS, check_shape, solve_widths


@shared_args_doc
@keras.saving.register_keras_serializable(package="keras_fer")
class FerDNN(FerModel):
    """The course report's DNN: BN -> Flatten -> Dense -> Dropout -> LeakyReLU, three blocks of
    BN -> Dense(no bias) -> Dropout -> LeakyReLU, Dense -> Dropout -> LeakyReLU, Dense(softmax).

    Args:
        param_budget: exact parameter count wanted; widths are solved by `solve_widths` (and saved,
            so loading never solves again). None: the the course report's widths (1152, 432, 180, 90, 44),
            3,258,363 parameters.
        input_shape: `(H, W, C)`, H and W >= 16.
        num_classes: number of classes (>= 2).
        widths: explicit five hidden widths (instead of `param_budget`).
        {shared_args}

    Example:
        >>> from keras_fer import FerCNN, FerDNN
        >>> dnn = FerDNN(param_budget=FerCNN().count_params())
        >>> dnn.count_params(), dnn.param_budget
        (3258379, 3258379)
    """

    _config_keys = ("input_shape", "num_classes", "widths", "dropout", "head_dropout", "negative_slope",
                    "logits", "rescale", "standardize", "augmentation", "dtype")

    def __init__(
        self,
        param_budget=None,
        input_shape=(48, 48, 1),
        num_classes=7,
        widths=None,
        dropout=0.4,
        head_dropout=0.5,
        negative_slope=0.2,
        logits=False,
        rescale=None,
        standardize=None,
        augmentation=None,
        dtype=None,
        name="fer_dnn",
        **kwargs,
    ):
        check_kwargs(type(self).__name__, kwargs)
        input_shape, num_classes = check_shape(input_shape, num_classes)
        if widths is not None and param_budget is not None:
            raise ConfigError("FerDNN: give param_budget or widths, not both")
        if widths is None:
            widths = (
                SEED_DNN_WIDTHS if param_budget is None
                else solve_widths(param_budget, input_shape, num_classes).widths
            )
        widths = [int(v) for v in widths]
        if len(widths) != 5 or min(widths) < 1:
            raise ConfigError(f"FerDNN: widths={widths!r}, expected five positive integers")

        # === Functional Model ===
        with dtype_scope(dtype):  # every layer, the classifier's float32 aside, under `dtype`
            inputs = keras.Input(shape=input_shape, name="image")
            x = preprocessing_head(inputs, rescale, standardize, augmentation)
            x = layers.BatchNormalization(name="input_bn")(x)
            x = layers.Flatten(name="flatten")(x)
            x = layers.Dense(widths[0], name="dense1")(x)
            x = layers.Dropout(dropout, name="dropout1")(x)
            x = layers.LeakyReLU(negative_slope, name="act1")(x)
            for i in (2, 3, 4):
                x = layers.BatchNormalization(name=f"bn{i}")(x)
                x = layers.Dense(widths[i - 1], use_bias=False, name=f"dense{i}")(x)
                x = layers.Dropout(dropout, name=f"dropout{i}")(x)
                x = layers.LeakyReLU(negative_slope, name=f"act{i}")(x)
            x = layers.Dense(widths[4], name="dense5")(x)
            x = layers.Dropout(head_dropout, name="dropout5")(x)
            x = layers.LeakyReLU(negative_slope, name="act5")(x)
            self._init_functional(inputs, x, num_classes, logits, name, kwargs)
        self.dtype_arg = dtype_name(dtype)

        # === Config === (saved with the solved widths; the budget asked for is kept for the reader)
        self.param_budget = param_budget
        self.num_classes = num_classes
        self.widths = widths
        self.keep_shared_args(dropout, head_dropout, negative_slope, logits, rescale, standardize, augmentation)
