"""Soft training targets from the bundled model (knowledge distillation).

The recipe field `distill` (0..1) trains on `distill * teacher + (1 - distill) * one-hot label`, where the
teacher is the bundled default model (`keras_fer.load_pretrained()`, mirror-averaged) run once on the clean
training images before the first epoch. Augmentation then moves the image and keeps its target. On the
tf.data path the images arrive shuffled and batched, so each is found again by a fingerprint of its pixels
(identical images share a target; their labels stay their own).

Example:
    >>> import numpy as np
    >>> x = np.random.default_rng(0).integers(0, 256, (4, 48, 48, 1), dtype=np.uint8)
    >>> probs = np.full((4, 7), 1 / 7, dtype="float32")
    >>> t = soft_targets(probs, np.array([0, 1, 2, 3]), 0.5)
    >>> round(float(t[0, 0]), 4), round(float(t[0, 1]), 4)
    (0.5714, 0.0714)
"""

from __future__ import annotations

import numpy as np

from keras_fer.errors import ConfigError


def teacher_probabilities(images: np.ndarray, batch_size: int = 512, verbose=0) -> np.ndarray:
    """The bundled default model's probabilities, mirror-averaged, for raw 0..255 images `[N, 48, 48, 1]`."""
    from keras_fer.models.tta import flip_tta
    from keras_fer.pretrained import load_pretrained

    model = flip_tta(load_pretrained())
    return np.asarray(model.predict(np.asarray(images, "float32"), batch_size=batch_size, verbose=verbose), "float32")


def soft_targets(probs: np.ndarray, labels: np.ndarray, weight: float) -> np.ndarray:
    """`weight * probs + (1 - weight) * one_hot(labels)`, float32 `[N, classes]`."""
    if not 0.0 < weight <= 1.0:
        raise ConfigError(f"distill={weight!r}: expected a weight in (0, 1]")
    probs = np.asarray(probs, "float32")
    one_hot = np.eye(probs.shape[1], dtype="float32")[np.asarray(labels, np.int64)]
    return weight * probs + (1.0 - weight) * one_hot


def image_keys(images):
    """A 64-bit fingerprint of each image's pixels (uint8 `[N, ...]`, numpy or a tensor) as int64 `[N]`."""
    import tensorflow as tf

    x = tf.cast(tf.convert_to_tensor(images), tf.uint8)
    flat = tf.reshape(x, [tf.shape(x)[0], -1])
    return tf.bitcast(tf.fingerprint(flat), tf.int64)


def target_map(images: np.ndarray, probs: np.ndarray, weight: float):
    """A function `(uint8 images [B, ...], labels [B]) -> float32 targets [B, classes]` for
    `keras_fer.data.load(label_map=...)`: the teacher's `probs` of each image (found by its pixels) mixed with
    its own label. An image the teacher was not run on raises `tf.errors.InvalidArgumentError`."""
    import tensorflow as tf

    keys = image_keys(images).numpy()
    keys, first = np.unique(keys, return_index=True)
    table = tf.lookup.StaticHashTable(
        tf.lookup.KeyValueTensorInitializer(tf.constant(keys), tf.constant(first.astype(np.int64))), default_value=-1)
    probs = tf.constant(np.asarray(probs, "float32"))
    classes = int(probs.shape[1])

    def apply(x, y):
        rows = table.lookup(image_keys(x))
        tf.debugging.assert_non_negative(rows, message="distill: an image the teacher was not run on")
        return weight * tf.gather(probs, rows) + (1.0 - weight) * tf.one_hot(tf.cast(y, tf.int32), classes)

    return apply
