"""`FerAugmentation`: the course report's augmentation as one random affine warp per image, and optional
photometric changes (brightness, contrast, gamma, blur, noise) of the kind real photographs bring."""

from __future__ import annotations

from keras_fer.errors import ConfigError

import math

import keras


def affine_matrices(np_ops, batch_size, height, width, uniform, flip, rotation, zoom, shift, scale=0.0):
    """Composes flip, rotation, zoom and shift into one [batch_size, 8] transform per image.

    Args:
        np_ops: a NumPy-like namespace (a Keras backend's `numpy`, `tf.experimental.numpy`, numpy).
        batch_size, height, width: the batch's sizes.
        uniform: `uniform(low, high)` -> [batch_size] random floats (the only source of randomness).
        flip, rotation, zoom, shift, scale: as in `FerAugmentation`.

    Returns:
        [batch_size, 8] transforms mapping output to input points, rows
        `[a0, a1, a2, b0, b1, b2, 0, 0]`: input = R(theta) diag(s zx f, s zy) (out - c) + c + shift.

    Example:
        >>> import numpy as np
        >>> m = affine_matrices(np, 1, 48, 48, lambda lo, hi: np.full(1, (lo + hi) / 2), False, 15, .1, .1)
        >>> np.round(m, 6).tolist()   # the mid-point draw is the identity
        [[1.0, -0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]]
    """
    theta = uniform(-1.0, 1.0) * (rotation * math.pi / 180.0)
    zoom_x = uniform(1.0 - zoom, 1.0 + zoom)
    zoom_y = uniform(1.0 - zoom, 1.0 + zoom)
    if not (isinstance(scale, (int, float)) and scale == 0):  # one scale for both axes: the face framed tighter or looser, as detectors frame it
        common = uniform(1.0 - scale, 1.0 + scale)
        zoom_x, zoom_y = zoom_x * common, zoom_y * common
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

    def average_pool(inputs, pool_size, strides, padding):
        return tf.nn.avg_pool2d(inputs, pool_size, strides, padding.upper())

    return types.SimpleNamespace(
        shape=tf.shape, cast=tf.cast, ones_like=tf.ones_like, zeros_like=tf.zeros_like, where=tf.where,
        cos=tf.cos, sin=tf.sin, stack=tf.stack, reshape=tf.reshape, mean=tf.reduce_mean, clip=tf.clip_by_value,
        power=tf.pow, exp=tf.exp, sqrt=tf.sqrt, arange=tf.range, abs=tf.abs, logical_and=tf.logical_and,
        minimum=tf.minimum,
        image=types.SimpleNamespace(affine_transform=affine_transform),
        nn=types.SimpleNamespace(average_pool=average_pool))


def photometric(ops, images, uniform, brightness, contrast, gamma, blur, noise, value_range):
    """Random brightness, contrast, gamma, blur and noise, one draw per image, clipped to `value_range`.

    Args:
        ops: `keras.ops` or `tensorflow_ops()`.
        images: float `[B, H, W, C]` in `value_range`.
        uniform: `uniform(low, high, shape=None)` -> random floats (`[B]` by default).
        brightness: pixel values multiplied by a factor in [1 - brightness, 1 + brightness].
        contrast: distance to the image's mean multiplied by a factor in [1 - contrast, 1 + contrast].
        gamma: `low + (high - low) * t ** g` with `log g` uniform in [-gamma, gamma].
        blur: the image mixed with its 3x3 mean by a weight uniform in [0, blur].
        noise: uniform noise of a standard deviation uniform in [0, noise] x the range's width.
        value_range: `(low, high)` of the pixels.

    Example:
        >>> import numpy as np, keras
        >>> x = np.full((2, 4, 4, 1), 100.0, "float32")
        >>> mid = lambda lo, hi, shape=None: keras.ops.full(shape or (2,), (lo + hi) / 2)
        >>> y = photometric(keras.ops, x, mid, 0.2, 0.3, 0.4, 0.0, 0.0, (0, 255))
        >>> bool(np.allclose(keras.ops.convert_to_numpy(y), 100.0))   # the mid-point draw changes nothing
        True
    """
    low, high = float(value_range[0]), float(value_range[1])
    width = high - low
    per_image = lambda v: ops.reshape(v, (-1, 1, 1, 1))  # noqa: E731
    x = images
    if gamma:
        g = per_image(ops.exp(uniform(-gamma, gamma)))
        x = low + width * ops.power(ops.clip((x - low) / width, 0.0, 1.0), g)
    if brightness:
        x = low + (x - low) * per_image(uniform(1.0 - brightness, 1.0 + brightness))
    if contrast:
        mean = ops.mean(x, axis=(1, 2, 3), keepdims=True)
        x = mean + (x - mean) * per_image(uniform(1.0 - contrast, 1.0 + contrast))
    if blur:
        w = per_image(uniform(0.0, blur))
        x = (1.0 - w) * x + w * ops.nn.average_pool(x, 3, 1, "same")
    if noise:
        std = per_image(uniform(0.0, noise)) * width
        x = x + std * (3.0 ** 0.5) * uniform(-1.0, 1.0, ops.shape(x))
    return ops.clip(x, low, high)


def erase(ops, images, uniform, probability, value_range, area=(0.02, 0.25), ratio=(0.3, 3.3)):
    """Random erasing (Zhong et al. 2017): with `probability`, one rectangle per image replaced by noise.

    The rectangle covers a fraction of the image uniform in `area`, its height / width ratio log-uniform
    in `ratio`, its centre uniform over the image (cut by the border); the noise is uniform over
    `value_range`. (Keras' `RandomErasing` draws from a stateful generator; this one takes its draws
    from `uniform`, so tf.data can key them by epoch and batch and a resumed run replays them.)

    Example:
        >>> import numpy as np, keras
        >>> x = np.full((2, 8, 8, 1), 7.0, "float32")
        >>> never = lambda lo, hi, shape=None: keras.ops.full(shape or (2,), hi if lo == 0.0 and hi == 1.0 else lo)
        >>> bool(np.all(keras.ops.convert_to_numpy(erase(keras.ops, x, never, 0.5, (0, 255))) == 7.0))
        True
    """
    low, high = float(value_range[0]), float(value_range[1])
    shape = ops.shape(images)  # static in a model, a tensor inside tf.data
    height, width = ops.cast(shape[1], "float32"), ops.cast(shape[2], "float32")
    per_image = lambda v: ops.reshape(v, (-1, 1, 1, 1))  # noqa: E731
    fraction = uniform(area[0], area[1])
    aspect = ops.exp(uniform(math.log(ratio[0]), math.log(ratio[1])))
    half_h = per_image(ops.minimum(ops.sqrt(fraction * aspect), 1.0) * height / 2.0)
    half_w = per_image(ops.minimum(ops.sqrt(fraction / aspect), 1.0) * width / 2.0)
    centre_y, centre_x = per_image(uniform(0.0, 1.0) * height), per_image(uniform(0.0, 1.0) * width)
    on = per_image(ops.cast(uniform(0.0, 1.0) < probability, "float32"))
    rows = ops.reshape(ops.cast(ops.arange(shape[1]), "float32") + 0.5, (1, -1, 1, 1))
    cols = ops.reshape(ops.cast(ops.arange(shape[2]), "float32") + 0.5, (1, 1, -1, 1))
    inside = (ops.cast(ops.abs(rows - centre_y) < half_h, "float32")
              * ops.cast(ops.abs(cols - centre_x) < half_w, "float32") * on)
    noise = uniform(low, high, shape)
    return images * (1.0 - inside) + noise * inside


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
        scale: largest relative change of one scale for both axes (uniform in [1 - scale, 1 + scale]):
            the face framed tighter or looser, as face detectors frame it. 0: off.
        brightness, contrast, gamma, blur, noise: photometric changes (see `photometric`); 0: off.
        erasing: probability of erasing one random rectangle (see `erase`), after the warp; 0: off.
        value_range: `(low, high)` of the pixels the layer sees (for gamma, noise and clipping).
        seed: seed of the layer's random generator.

    Attribute `strength` (default 1.0, not saved) scales rotation, zoom, shift and scale; a recipe's
    augmentation ramp sets it between epochs (`keras_fer.callbacks.AugmentRamp`).

    Example:
        >>> import numpy as np
        >>> layer = FerAugmentation(seed=0)
        >>> x = np.random.rand(2, 48, 48, 1).astype("float32")
        >>> bool((layer(x, training=True) != x).numpy().any()), bool((layer(x) == x).numpy().all())
        (True, True)
    """

    def __init__(self, flip=True, rotation=15.0, zoom=0.1, shift=0.1, scale=0.0, brightness=0.0, contrast=0.0,
                 gamma=0.0, blur=0.0, noise=0.0, erasing=0.0, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(**kwargs)
        limits = (("rotation", rotation, 180.0), ("zoom", zoom, 0.99), ("shift", shift, 1.0), ("scale", scale, 0.5),
                  ("brightness", brightness, 0.99), ("contrast", contrast, 0.99), ("gamma", gamma, 2.0),
                  ("blur", blur, 1.0), ("noise", noise, 0.5), ("erasing", erasing, 1.0))
        for name, value, top in limits:
            if not 0.0 <= float(value) <= top:
                raise ConfigError(f"FerAugmentation: {name}={value!r}, expected a number in [0, {top}]")
            setattr(self, name, float(value))
        low, high = (float(v) for v in value_range)
        if not low < high:
            raise ConfigError(f"FerAugmentation: value_range={value_range!r}, expected (low, high) with low < high")
        self.value_range = (low, high)
        self.flip = bool(flip)
        self.seed = seed
        self.generator = keras.random.SeedGenerator(seed)
        self.strength = 1.0

    def augment(self, images, uniform, strength=1.0, ops=None):
        """Warps a float batch `[B, H, W, C]` by one random affine transform per image.

        The one implementation, for the model and for tf.data alike.

        Args:
            images: the batch (a tensor of the active backend; TensorFlow tensors inside tf.data).
            uniform: `uniform(low, high, shape=None)` -> random floats (`[B]` by default), the only
                source of randomness.
            strength: scales rotation, zoom, shift and scale (a number or a tensor).
            ops: the ops to compute with: `keras.ops` (default), or `tensorflow_ops()` in tf.data.
        """
        ops = ops or keras.ops
        shape = ops.shape(images)
        transform = affine_matrices(
            ops, shape[0], images.shape[1], images.shape[2], uniform, self.flip,
            self.rotation * strength, self.zoom * strength, self.shift * strength, 
            self.scale * strength if self.scale else 0.0,
        )
        out = ops.image.affine_transform(
            images, ops.cast(transform, "float32"), interpolation="bilinear", fill_mode="nearest"
        )
        if self.brightness or self.contrast or self.gamma or self.blur or self.noise:
            out = photometric(ops, out, uniform, self.brightness, self.contrast, self.gamma, self.blur, self.noise,
                              self.value_range)
        if self.erasing:
            out = erase(ops, out, uniform, self.erasing, self.value_range)
        return out

    def call(self, inputs, training=False):
        if not training:
            return inputs
        unbatched = len(inputs.shape) == 3
        images = keras.ops.expand_dims(inputs, 0) if unbatched else inputs
        batch = keras.ops.shape(images)[0]

        def uniform(low, high, shape=None):
            return keras.random.uniform((batch,) if shape is None else shape, low, high, seed=self.generator)

        out = keras.ops.cast(self.augment(keras.ops.cast(images, "float32"), uniform, self.strength), inputs.dtype)
        return out[0] if unbatched else out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            flip=self.flip, rotation=self.rotation, zoom=self.zoom, shift=self.shift, scale=self.scale,
            brightness=self.brightness, contrast=self.contrast, gamma=self.gamma, blur=self.blur, noise=self.noise,
            erasing=self.erasing, value_range=list(self.value_range), seed=self.seed,
        )
        return config
