"""`FerAugmentation`: the seed report's augmentation as one random affine warp per image."""

from __future__ import annotations

import math

import keras
from keras import ops

# Keras' own random image layers derive from this base, which swaps in TensorFlow ops when the
# layer runs inside tf.data; Keras does not export it, so it is imported from where it lives.
try:  # Keras >= 3.10
    from keras.src.layers.preprocessing.data_layer import DataLayer as _Base
except ImportError:  # pragma: no cover - Keras 3.0 - 3.9
    from keras.src.layers.preprocessing.tf_data_layer import TFDataLayer as _Base


@keras.saving.register_keras_serializable(package="keras_fer")
class FerAugmentation(_Base):
    """Random horizontal flip, rotation, zoom and shift, composed into one affine transform.

    Where Keras' `RandomFlip`, `RandomRotation`, `RandomZoom` and `RandomTranslation` resample the
    image four times, this layer draws the four parameters per image, multiplies them into one
    matrix and interpolates once (bilinear, "nearest" fill, like Keras' `ImageDataGenerator`).
    It is active only with `training=True`; in inference it returns its input unchanged. Works in a
    model on any Keras backend and inside `tf.data` (it switches to TensorFlow ops there).

    Args:
        flip: flip left-right with probability 0.5.
        rotation: largest rotation, in degrees (uniform in [-rotation, rotation]).
        zoom: largest relative zoom per axis (scale uniform in [1 - zoom, 1 + zoom]).
        shift: largest shift as a fraction of width / height.
        seed: seed of the layer's random generator.

    Example:
        >>> import numpy as np
        >>> layer = FerAugmentation(seed=0)
        >>> x = np.random.rand(2, 48, 48, 1).astype("float32")
        >>> bool((layer(x, training=True) != x).numpy().any()), bool((layer(x) == x).numpy().all())
        (True, True)
    """

    def __init__(self, flip=True, rotation=15.0, zoom=0.1, shift=0.1, seed=None, **kwargs):
        super().__init__(**kwargs)
        for name, value, top in (("rotation", rotation, 180.0), ("zoom", zoom, 0.99), ("shift", shift, 1.0)):
            if not 0.0 <= float(value) <= top:
                raise ValueError(f"FerAugmentation: {name}={value!r}, expected a number in [0, {top}]")
        self.flip = bool(flip)
        self.rotation = float(rotation)
        self.zoom = float(zoom)
        self.shift = float(shift)
        self.seed = seed
        self.generator = keras.random.SeedGenerator(seed)
        self.supports_masking = False

    def transforms(self, batch_size, height, width):
        """Returns [batch_size, 8] output-to-input affine transforms (Keras' `affine_transform` form)."""
        b = self.backend  # the active backend's ops (TensorFlow's inside tf.data)
        seed = self._get_seed_generator(b._backend)
        uniform = lambda low, high: b.random.uniform((batch_size,), low, high, seed=seed)  # noqa: E731
        theta = uniform(-1.0, 1.0) * (self.rotation * math.pi / 180.0)
        zoom_x = uniform(1.0 - self.zoom, 1.0 + self.zoom)
        zoom_y = uniform(1.0 - self.zoom, 1.0 + self.zoom)
        shift_x = uniform(-self.shift, self.shift) * width
        shift_y = uniform(-self.shift, self.shift) * height
        if self.flip:
            flip = b.numpy.where(uniform(0.0, 1.0) < 0.5, -1.0, 1.0)
        else:
            flip = b.numpy.ones((batch_size,))
        cos, sin = b.numpy.cos(theta), b.numpy.sin(theta)
        # input = R(theta) . diag(zoom_x * flip, zoom_y) . (output - centre) + centre + shift
        a0, a1 = cos * zoom_x * flip, -sin * zoom_y
        b0, b1 = sin * zoom_x * flip, cos * zoom_y
        cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
        a2 = cx - a0 * cx - a1 * cy + shift_x
        b2 = cy - b0 * cx - b1 * cy + shift_y
        zeros = b.numpy.zeros((batch_size,))
        return b.numpy.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)

    def call(self, inputs, training=False):
        if not training:
            return inputs
        b = self.backend
        unbatched = len(inputs.shape) == 3
        images = b.numpy.expand_dims(inputs, 0) if unbatched else inputs
        shape = b.core.shape(images)
        height, width = images.shape[1], images.shape[2]
        transform = self.transforms(shape[0], height, width)
        dtype = images.dtype
        out = b.image.affine_transform(
            b.cast(images, "float32"), b.cast(transform, "float32"),
            interpolation="bilinear", fill_mode="nearest",
        )
        out = b.cast(out, dtype)
        return out[0] if unbatched else out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            flip=self.flip, rotation=self.rotation, zoom=self.zoom, shift=self.shift, seed=self.seed
        )
        return config
