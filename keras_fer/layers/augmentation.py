"""`FerAugmentation`: the course report's augmentation as one random affine warp per image."""

from __future__ import annotations

import math

import keras


def affine_matrices(np_ops, batch_size, height, width, uniform, flip, rotation, zoom, shift):
    """Composes flip, rotation, zoom and shift into one [batch_size, 8] transform per image.

    Args:
        np_ops: a NumPy-like namespace (a Keras backend's `numpy`, `tf.experimental.numpy`, numpy).
        batch_size, height, width: the batch's sizes.
        uniform: `uniform(low, high)` -> [batch_size] random floats (the only source of randomness).
        flip, rotation, zoom, shift: as in `FerAugmentation`.

    Returns:
        [batch_size, 8] transforms mapping output to input points, rows
        `[a0, a1, a2, b0, b1, b2, 0, 0]`: input = R(theta) diag(zx * f, zy) (out - c) + c + shift.

    Example:
        >>> import numpy as np
        >>> m = affine_matrices(np, 1, 48, 48, lambda lo, hi: np.full(1, (lo + hi) / 2), False, 15, .1, .1)
        >>> np.round(m, 6).tolist()   # the mid-point draw is the identity
        [[1.0, -0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]]
    """
    theta = uniform(-1.0, 1.0) * (rotation * math.pi / 180.0)
    zoom_x = uniform(1.0 - zoom, 1.0 + zoom)
    zoom_y = uniform(1.0 - zoom, 1.0 + zoom)
    shift_x = uniform(-shift, shift) * width
    shift_y = uniform(-shift, shift) * height
    ones = np_ops.ones_like(theta)
    sign = np_ops.where(uniform(0.0, 1.0) < 0.5, -ones, ones) if flip else ones
    cos, sin = np_ops.cos(theta), np_ops.sin(theta)
    a0, a1 = cos * zoom_x * sign, -sin * zoom_y
    b0, b1 = sin * zoom_x * sign, cos * zoom_y
    cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
    a2 = cx - a0 * cx - a1 * cy + shift_x
    b2 = cy - b0 * cx - b1 * cy + shift_y
    zeros = np_ops.zeros_like(theta)
    return np_ops.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)


def tensorflow_ops():
    """The `keras.ops` that `FerAugmentation.augment` calls, on TensorFlow whatever Keras' backend is.

    tf.data runs TensorFlow graphs even when Keras runs on JAX or PyTorch, so `keras_fer.data.load`
    hands these to `augment` (the warp is the kernel Keras' TensorFlow `affine_transform` calls).

    Example:
        >>> import numpy as np
        >>> ops = tensorflow_ops()
        >>> x = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
        >>> identity = np.array([[1, 0, 0, 0, 1, 0, 0, 0]], "float32")
        >>> bool((ops.image.affine_transform(x, identity, "bilinear", "nearest").numpy() == x).all())
        True
    """
    import types

    import tensorflow as tf

    def affine_transform(images, transform, interpolation, fill_mode):
        return tf.raw_ops.ImageProjectiveTransformV3(
            images=images, transforms=tf.cast(transform, tf.float32), output_shape=tf.shape(images)[1:3],
            fill_value=0.0, interpolation=interpolation.upper(), fill_mode=fill_mode.upper())

    return types.SimpleNamespace(
        shape=tf.shape, cast=tf.cast, ones_like=tf.ones_like, zeros_like=tf.zeros_like, where=tf.where,
        cos=tf.cos, sin=tf.sin, stack=tf.stack, image=types.SimpleNamespace(affine_transform=affine_transform))


@keras.saving.register_keras_serializable(package="keras_fer")
class FerAugmentation(keras.layers.Layer):
    """Random horizontal flip, rotation, zoom and shift, composed into one affine transform.

    Where Keras' `RandomFlip`, `RandomRotation`, `RandomZoom` and `RandomTranslation` resample the
    image four times, this layer draws the four parameters per image, multiplies them into one
    matrix and interpolates once (bilinear, "nearest" fill, like Keras' `ImageDataGenerator`).
    It is active only with `training=True`; in inference it returns its input unchanged. Works in a
    model on any Keras backend; `keras_fer.data.load` runs the same `augment` inside `tf.data`
    (on TensorFlow ops, whatever the Keras backend: `tensorflow_ops`) with stateless, seeded draws.

    Args:
        flip: flip left-right with probability 0.5.
        rotation: largest rotation, in degrees (uniform in [-rotation, rotation]).
        zoom: largest relative zoom per axis (scale uniform in [1 - zoom, 1 + zoom]).
        shift: largest shift as a fraction of width / height.
        seed: seed of the layer's random generator.

    Attribute `strength` (default 1.0, not saved) scales rotation, zoom and shift; a recipe's
    augmentation ramp sets it between epochs (`keras_fer.callbacks.AugmentRamp`).

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
        self.strength = 1.0

    def augment(self, images, uniform, strength=1.0, ops=None):
        """Warps a float batch `[B, H, W, C]` by one random affine transform per image.

        The one implementation, for the model and for tf.data alike.

        Args:
            images: the batch (a tensor of the active backend; TensorFlow tensors inside tf.data).
            uniform: `uniform(low, high)` -> `[B]` random floats, the only source of randomness.
            strength: scales rotation, zoom and shift (a number or a tensor).
            ops: the ops to compute with: `keras.ops` (default), or `tensorflow_ops()` in tf.data.
        """
        ops = ops or keras.ops
        shape = ops.shape(images)
        transform = affine_matrices(
            ops, shape[0], images.shape[1], images.shape[2], uniform, self.flip,
            self.rotation * strength, self.zoom * strength, self.shift * strength,
        )
        return ops.image.affine_transform(
            images, ops.cast(transform, "float32"), interpolation="bilinear", fill_mode="nearest"
        )

    def call(self, inputs, training=False):
        if not training:
            return inputs
        unbatched = len(inputs.shape) == 3
        images = keras.ops.expand_dims(inputs, 0) if unbatched else inputs
        batch = keras.ops.shape(images)[0]

        def uniform(low, high):
            return keras.random.uniform((batch,), low, high, seed=self.generator)

        out = keras.ops.cast(self.augment(keras.ops.cast(images, "float32"), uniform, self.strength), inputs.dtype)
        return out[0] if unbatched else out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            flip=self.flip, rotation=self.rotation, zoom=self.zoom, shift=self.shift, seed=self.seed
        )
        return config
