"""Pieces shared by the model classes: the preprocessing head, the shared arguments, the base class."""

from __future__ import annotations

from keras_fer.errors import ConfigError

import contextlib

import keras

from keras_fer.layers.augmentation import FerAugmentation

#: The arguments every keras-fer model takes after its own, documented once (appended to the
#: class docstrings by `shared_args_doc`).
SHARED_ARGS_DOC = """\
        dropout: dropout rate after each hidden block but the last.
        head_dropout: dropout rate of the last hidden layer, just before the classifier.
        negative_slope: LeakyReLU slope.
        logits: output logits instead of softmax probabilities.
        rescale: optional input scale (e.g. 1/255) applied in the model.
        standardize: optional `(mean, variance)` of training pixels, applied in the model.
        augmentation: None, True or `FerAugmentation` kwargs: training-only augmentation in the model.
        dtype: dtype policy of the layers ("float32", "bfloat16", "mixed_bfloat16", a `keras.DTypePolicy`;
            None: Keras' global policy), as keras-hub models take it; the classifier stays float32.
        name: model name.
        trainable: Keras' `trainable` flag (the only other keyword accepted; anything else is an error).
"""

#: Keyword arguments passed through to `keras.Model`; any other unknown keyword raises `TypeError`
#: (so `weights=...`, Keras' applications keyword, can never be silently ignored).
PASSTHROUGH_KWARGS = ("trainable",)


def shared_args_doc(cls):
    """Class decorator: replaces `{shared_args}` in the docstring by `SHARED_ARGS_DOC`."""
    cls.__doc__ = cls.__doc__.replace("        {shared_args}\n", SHARED_ARGS_DOC)
    return cls


@contextlib.contextmanager
def dtype_scope(dtype):
    """Layers built inside take `dtype` as their dtype policy (keras-hub's `dtype=`): a name such as
    "float32", "bfloat16" or "mixed_bfloat16", or a `keras.DTypePolicy`; None keeps the global policy.

    Example:
        >>> import keras
        >>> with dtype_scope("bfloat16"):
        ...     layer = keras.layers.Dense(2)
        >>> layer.dtype_policy.name, keras.config.dtype_policy().name
        ('bfloat16', 'float32')
    """
    if dtype is None:
        yield
        return
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(dtype)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def dtype_name(dtype):
    """`dtype` as a config value: None, or the policy's name."""
    if dtype is None or isinstance(dtype, str):
        return dtype
    return getattr(dtype, "name", str(dtype))


def check_kwargs(cls_name: str, kwargs: dict) -> dict:
    """The keyword arguments that `keras.Model` may take; raises on any other."""
    unknown = sorted(set(kwargs) - set(PASSTHROUGH_KWARGS))
    if unknown:
        raise TypeError(f"{cls_name}() got unexpected keyword argument(s) {', '.join(map(repr, unknown))}")
    return kwargs


def pretrained_rescale(cls_name: str, weights, rescale, standardize):
    """The input scale for `weights=`: 1/255 for the bundled weights (None otherwise); refuses other scaling.

    Example:
        >>> pretrained_rescale("FerCNN", "fer2013", None, None) == 1 / 255, pretrained_rescale("FerCNN", None, 0.5, None)
        (True, 0.5)
    """
    if weights is None:
        return rescale
    from keras_fer.models.weights import PRETRAINED

    if weights not in PRETRAINED:
        raise ConfigError(f"{cls_name}: weights={weights!r}: expected None or one of {PRETRAINED}")
    if standardize is not None or rescale not in (None, 1 / 255):
        raise ConfigError(f"{cls_name}: weights={weights!r} were trained with rescale=1/255 in the model")
    return 1 / 255


def preprocessing_head(inputs, rescale=None, standardize=None, augmentation=None):
    """Optional layers in front of a model: training-only augmentation, then input scaling.

    With scaling inside the model, a saved `.keras` file takes raw 0..255 pixels, so whoever
    loads it cannot feed it differently scaled inputs by mistake.

    Args:
        inputs: the model's `keras.Input`.
        rescale: a factor such as 1/255 (Keras `Rescaling`), or None.
        standardize: `(mean, variance)` of the training pixels (Keras `Normalization`), or None.
        augmentation: None, True (the course report's settings) or a dict of `FerAugmentation` arguments.

    Returns:
        The tensor after the head (the inputs themselves when all are None).

    Example:
        >>> import keras
        >>> x = preprocessing_head(keras.Input((48, 48, 1)), rescale=1 / 255)
        >>> x.shape
        (None, 48, 48, 1)
    """
    x = inputs
    if augmentation:
        kwargs = {} if augmentation is True else dict(augmentation)
        x = FerAugmentation(name="augmentation", **kwargs)(x)
    if rescale is not None and standardize is not None:
        raise ConfigError("give rescale or standardize, not both")
    if rescale is not None:
        x = keras.layers.Rescaling(float(rescale), name="rescale")(x)
    if standardize is not None:
        mean, variance = (float(v) for v in standardize)
        x = keras.layers.Normalization(mean=mean, variance=variance, name="standardize")(x)
    return x


class FerModel(keras.Model):
    """Base of the functional-subclass models: config in, config out (see DESIGN.md).

    Subclasses keep their constructor arguments as public attributes (as keras-hub does) and list
    their names in `_config_keys`; `get_config` returns exactly those.
    """

    _config_keys: tuple = ()

    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable}
        for key in self._config_keys:
            if key == "input_shape":  # Keras' own property, (None, H, W, C)
                value = list(self.input_shape[1:])
            elif key == "dtype":  # Keras' `dtype` is the variables' dtype; the argument is kept aside
                value = self.dtype_arg
            else:
                value = getattr(self, key)
            if isinstance(value, (list, tuple)):  # Keras wraps list attributes in a tracking list
                value = list(value)
            elif isinstance(value, dict):
                value = dict(value)
            config[key] = value
        return config

    def keep_shared_args(self, dropout, head_dropout, negative_slope, logits, rescale, standardize, augmentation):
        """Keeps the arguments every keras-fer model takes (SHARED_ARGS_DOC) as public attributes."""
        self.dropout = dropout
        self.head_dropout = head_dropout
        self.negative_slope = negative_slope
        self.logits = logits
        self.rescale = rescale
        self.standardize = list(standardize) if standardize else None
        self.augmentation = augmentation

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)

    def _init_functional(self, inputs, features, num_classes, logits, name, kwargs):
        """Ends the model with its classifier and initialises it as a functional model.

        The classifier is the Dense layer named `predictions` (training zero-initialises it by that
        name), softmax unless `logits`, in float32 under any mixed-precision policy.
        """
        outputs = keras.layers.Dense(
            num_classes, activation=None if logits else "softmax", dtype="float32", name="predictions"
        )(features)
        # super(), not keras.Model.__init__: after the first model Keras has rebased FerModel on Functional
        super().__init__(inputs=inputs, outputs=outputs, name=name, **kwargs)
