"""The one error type of the face pipeline."""

from keras_fer.errors import KerasFerError


class DetectError(KerasFerError, RuntimeError):
    """Bad arguments to `detect` or `EmotionDetector` (no inputs, an unknown detector, a missing extra,
    an empty image)."""
