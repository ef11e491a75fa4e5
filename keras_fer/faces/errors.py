"""The one error type of the face pipeline."""


class DetectError(RuntimeError):
    """Bad arguments to `detect` or `EmotionDetector` (no inputs, an unknown detector, a missing extra,
    an empty image)."""
