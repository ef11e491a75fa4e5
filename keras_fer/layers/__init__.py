"""Preprocessing layers: the course report's augmentation as one layer; Keras' `Rescaling`/`Normalization`.

Example:
    >>> from keras_fer.layers import FerAugmentation, Rescaling
    >>> FerAugmentation().rotation, Rescaling(1 / 255).scale
    (15.0, 0.00392156862745098)
"""

from keras.layers import Normalization, Rescaling  # noqa: F401  (re-exported: Keras' own layers)

from keras_fer.layers.augmentation import FerAugmentation  # noqa: F401
