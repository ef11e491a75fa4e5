"""The test-time views a model's probabilities can be averaged over (`keras_fer.models.with_tta`).

Keras-free, so that the command line lists them without importing Keras.

Example:
    >>> from keras_fer.views import TTA_MODES
    >>> TTA_MODES
    ('none', 'mirror', 'zoom')
"""

#: none: the image alone; mirror: it and its left-right mirror (`flip_tta`); zoom: those and its centre
#: enlarged by one pixel a side, mirrored too (`zoom_tta`).
TTA_MODES = ("none", "mirror", "zoom")
