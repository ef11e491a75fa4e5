"""`InferenceBlur`: a Gaussian blur applied at inference only, to meet blurred training images halfway.

When every training image is blurrier than the images a model will be asked about (the FER2013 copy
this project is measured on is such a case: see `keras_fer.domain` and docs/dataset.md), the
network never sees the fine detail that test images carry, and its predictions on them suffer.
Blurring the test images by the amount the training images were blurred brings them back into the
training images' domain. The layer has no weights; in training it passes its input through.

Example:
    >>> import numpy as np
    >>> from keras_fer.layers import InferenceBlur
    >>> x = np.zeros((1, 9, 9, 1), "float32"); x[0, 4, 4, 0] = 1.0
    >>> y = np.asarray(InferenceBlur(1.0)(x))
    >>> same = np.array_equal(np.asarray(InferenceBlur(1.0)(x, training=True)), x)
    >>> round(float(y.sum()), 4), bool(y[0, 4, 4, 0] < 0.2), same
    (1.0, True, True)
"""

from __future__ import annotations

import contextlib
import math

import numpy as np
import keras


def gaussian_kernel(sigma: float, radius=None) -> np.ndarray:
    """A normalised 1-D Gaussian of standard deviation `sigma` pixels (radius: 3 sigma, at least 1).

    Example:
        >>> k = gaussian_kernel(1.0); len(k), round(float(k.sum()), 6)
        (7, 1.0)
    """
    sigma = float(sigma)
    if radius is None:
        radius = max(1, int(math.ceil(3.0 * sigma)))
    t = np.arange(-radius, radius + 1, dtype=np.float64)
    k = np.exp(-0.5 * (t / sigma) ** 2)
    return (k / k.sum()).astype(np.float32)


@keras.saving.register_keras_serializable(package="keras_fer")
class InferenceBlur(keras.layers.Layer):
    """Gaussian blur of `sigma` pixels in inference; identity in training.

    Separable (a row pass and a column pass per channel), with symmetric padding so the borders keep
    their brightness. Only `keras.ops`, so it runs on every backend.

    Args:
        sigma: the blur's standard deviation in pixels (0: no blur).
        **kwargs: `keras.layers.Layer` arguments.
    """

    def __init__(self, sigma: float, **kwargs):
        # float32 whatever the global policy: TensorFlow's CPU depthwise convolution stalls in bfloat16.
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        sigma = float(sigma)
        if not math.isfinite(sigma) or sigma < 0:
            raise ValueError(f"InferenceBlur: sigma={sigma!r}, expected a number >= 0")
        self.sigma = sigma
        self.supports_masking = True

    def call(self, inputs, training=None):
        if training or self.sigma == 0:
            return inputs
        x = keras.ops.convert_to_tensor(inputs)
        channels = x.shape[-1]
        k = gaussian_kernel(self.sigma)
        r = len(k) // 2
        x = keras.ops.pad(x, [[0, 0], [r, r], [r, r], [0, 0]], mode="symmetric")
        rows = np.tile(k.reshape(1, -1, 1, 1), (1, 1, channels, 1))
        cols = np.tile(k.reshape(-1, 1, 1, 1), (1, 1, channels, 1))
        x = keras.ops.depthwise_conv(x, keras.ops.cast(rows, x.dtype), padding="valid")
        return keras.ops.depthwise_conv(x, keras.ops.cast(cols, x.dtype), padding="valid")

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "sigma": self.sigma}


@contextlib.contextmanager
def inference_blur_off(model):
    """Within the block, every `InferenceBlur` in `model` passes its input through (sigma 0);
    afterwards each has its own sigma back. For feeding a model images that are already blurred.

    Example:
        >>> from keras_fer import FerCNN
        >>> model = FerCNN(inference_blur=2.0)
        >>> with inference_blur_off(model):
        ...     model.get_layer("inference_blur").sigma
        0.0
        >>> model.get_layer("inference_blur").sigma
        2.0
    """
    blurs = [l for l in model.layers if isinstance(l, InferenceBlur)]
    sigmas = [l.sigma for l in blurs]
    for layer in blurs:
        layer.sigma = 0.0
    try:
        yield
    finally:
        for layer, sigma in zip(blurs, sigmas):
            layer.sigma = sigma
