"""Faces in real photos and video: framing a detector's box as FER2013 frames its faces.

Example:
    >>> from keras_fer.faces import FRAMINGS
    >>> FRAMINGS["haar"].scale
    1.0
"""

from keras_fer.faces.framing import FRAMINGS, Framing, crop_faces, framing_for  # noqa: F401
