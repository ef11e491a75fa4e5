"""`flip_tta`: test-time augmentation by mirroring, as one Keras model.

A face and its left-right mirror show the same expression; averaging a model's probabilities over
both costs twice the inference time and needs no labels. On FER2013 it lowered the loss of the
`fast` recipe's model (1.311 -> 1.286) but not its error (docs/results.md), so it is an option. The result is a plain functional
model that saves to `.keras` and loads without custom objects beyond keras-fer's registered ones.
"""

from __future__ import annotations

from keras_fer.errors import ConfigError
from keras_fer.views import TTA_MODES

import keras


@keras.saving.register_keras_serializable(package="keras_fer")
class HorizontalFlip(keras.layers.Layer):
    """Mirrors images left-right, always (unlike `keras.layers.RandomFlip`, which is random and
    training-only). Input: [batch, height, width, channels].

    Example:
        >>> import numpy as np
        >>> x = np.arange(6, dtype="float32").reshape(1, 1, 3, 2)
        >>> np.asarray(HorizontalFlip()(x))[0, 0].tolist()
        [[4.0, 5.0], [2.0, 3.0], [0.0, 1.0]]
    """

    def call(self, inputs):
        return keras.ops.flip(inputs, axis=-2)

    def compute_output_shape(self, input_shape):
        return input_shape


def flip_tta(model: keras.Model, name: str | None = None) -> keras.Model:
    """A model whose output is the mean of `model`'s probabilities on each image and its mirror.

    Args:
        model: a Keras model mapping [batch, H, W, C] images to class probabilities (softmax).
        name: the new model's name (default: `<model.name>_flip_tta`).

    Raises:
        ValueError: `model` does not take 4-D image batches.

    Example:
        >>> from keras_fer import FerCNN
        >>> flip_tta(FerCNN()).output_shape
        (None, 7)
    """
    _image_shape(model, "flip_tta")
    return _mean_over_views(model, lambda image: [image, HorizontalFlip(name="mirror")(image)],
                            name or f"{model.name}_flip_tta")


def _image_shape(model: keras.Model, caller: str, fixed: bool = False) -> tuple:
    """`model`'s input shape, checked to be image batches [batch, height, width, channels] (with a known
    height and width when `fixed`)."""
    shape = tuple(model.input_shape)
    if len(shape) != 4 or (fixed and (shape[1] is None or shape[2] is None)):
        raise ConfigError(f"{caller}: model {model.name!r} takes inputs of shape {shape}; expected image batches "
                          f"[batch, height, width, channels]{' of a fixed size' if fixed else ''}")
    return shape


def _mean_over_views(model: keras.Model, views_of, name: str) -> keras.Model:
    """A functional model averaging `model`'s probabilities over the views `views_of(image)` returns."""
    inputs = keras.Input(shape=tuple(model.input_shape)[1:], name="image")
    mean = keras.layers.Average(name="mean_probability")([model(v) for v in views_of(inputs)])
    return keras.Model(inputs, mean, name=name)


@keras.saving.register_keras_serializable(package="keras_fer")
class CentreZoom(keras.layers.Layer):
    """The centre of each image less `margin` pixels on every side, enlarged back to the image's size
    (bilinear), always: a face seen 2 x `margin` pixels closer. Input: [batch, height, width, channels]
    with a known height and width.

    Example:
        >>> import numpy as np
        >>> x = np.zeros((1, 6, 6, 1), "float32"); x[0, 1:5, 1:5] = 1.0
        >>> float(np.asarray(CentreZoom(1)(x)).min())
        1.0
    """

    def __init__(self, margin: int = 1, **kwargs):
        super().__init__(**kwargs)
        if int(margin) != margin or margin < 1:
            raise ConfigError(f"CentreZoom: margin={margin!r}; expected a whole number of pixels >= 1")
        self.margin = int(margin)

    def call(self, inputs):
        height, width = inputs.shape[1], inputs.shape[2]
        m = self.margin
        centre = inputs[:, m:height - m, m:width - m, :]
        return keras.ops.image.resize(centre, (height, width), interpolation="bilinear", antialias=False)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "margin": self.margin}


def zoom_tta(model: keras.Model, margin: int = 1, name: str | None = None) -> keras.Model:
    """A model whose output is the mean of `model`'s probabilities on four views of each image: the
    image, its mirror, its centre enlarged by `margin` pixels a side (`CentreZoom`) and that view's
    mirror. Four times the inference work of `model`, twice `flip_tta`'s.

    Raises:
        ValueError: `model` does not take 4-D image batches, or `margin` leaves no centre.

    Example:
        >>> from keras_fer import FerCNN
        >>> zoom_tta(FerCNN()).output_shape
        (None, 7)
    """
    shape = _image_shape(model, "zoom_tta", fixed=True)
    if 2 * margin >= min(shape[1], shape[2]):
        raise ConfigError(f"zoom_tta: margin={margin} leaves nothing of a {shape[1]}x{shape[2]} image")

    def views_of(image):
        zoomed = CentreZoom(margin, name="zoom")(image)
        return [image, HorizontalFlip(name="mirror")(image), zoomed, HorizontalFlip(name="zoom_mirror")(zoomed)]

    return _mean_over_views(model, views_of, name or f"{model.name}_zoom_tta")


def with_tta(model: keras.Model, tta="mirror") -> keras.Model:
    """`model` with the named test-time averaging: "none" (or False / None), "mirror" (or True;
    `flip_tta`) or "zoom" (`zoom_tta`, margin 1).

    Example:
        >>> from keras_fer import FerCNN
        >>> with_tta(FerCNN(), "zoom").name
        'fer_cnn_zoom_tta'
    """
    mode = {True: "mirror", False: "none", None: "none"}.get(tta, tta)
    if mode not in TTA_MODES:
        raise ConfigError(f"tta={tta!r}; expected one of {', '.join(TTA_MODES)}")
    return {"none": lambda m: m, "mirror": flip_tta, "zoom": zoom_tta}[mode](model)
