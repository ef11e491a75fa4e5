"""From a detector's face box to the 48x48 grey crop a FER2013 model expects.

FER2013's faces fill their 48x48 square edge to edge: the square is about the size of OpenCV's Haar
box. Each detector boxes a face its own way (MTCNN's box is tighter and lower), so each has its own
`Framing`: the side of the square crop relative to the box's longer side, and the shift of its centre
relative to the box's, measured by `benchmarks/calibrate_framing.py` (docs/results.md). Where the
square runs over the image's edge, the edge pixels are repeated, never stretched or cut.
"""

from __future__ import annotations

from keras_fer.errors import ConfigError

import dataclasses

import numpy as np

from tfds_fer2013.readers import resize_face


@dataclasses.dataclass(frozen=True)
class Framing:
    """A square crop around a face box `(x, y, w, h)`.

    Args:
        scale: the square's side / the box's longer side (1.0: the box itself, squared).
        dx: shift of the square's centre from the box's, as a fraction of that side (+: right).
        dy: the same, downwards (+: down).

    Example:
        >>> Framing(1.2).square((10, 20, 40, 30))   # centre x, centre y, side
        (30.0, 35.0, 48.0)
    """

    scale: float = 1.0
    dx: float = 0.0
    dy: float = 0.0

    def __post_init__(self):
        if not 0.5 <= float(self.scale) <= 3.0:
            raise ConfigError(f"crop scale {self.scale!r}: expected a number from 0.5 to 3.0 (1.0: the detector's box)")
        for name in ("dx", "dy"):
            if not -0.5 <= float(getattr(self, name)) <= 0.5:
                raise ConfigError(f"framing {name}={getattr(self, name)!r}: expected a number from -0.5 to 0.5")

    def square(self, box):
        """`(centre x, centre y, side)` of the square crop for `box`."""
        x, y, w, h = (float(v) for v in box)
        side = max(w, h)
        return x + w / 2 + self.dx * side, y + h / 2 + self.dy * side, side * self.scale


#: Each detector's framing, calibrated so that its crops frame a face as FER2013 does (docs/results.md).
FRAMINGS = {
    "haar": Framing(scale=1.0),
    "mtcnn": Framing(scale=0.95),
}


def framing_for(detector: str, scale=None) -> Framing:
    """The calibrated `Framing` of `detector`, with its scale replaced by `scale` when one is given.

    Example:
        >>> framing_for("haar", 1.2)
        Framing(scale=1.2, dx=0.0, dy=0.0)
    """
    base = FRAMINGS.get(detector, Framing())
    return base if scale is None else dataclasses.replace(base, scale=float(scale))


def crop_faces(gray: np.ndarray, boxes, framing: Framing = Framing(), size: int = 48) -> np.ndarray:
    """Square crops of a grey image around `boxes` (x, y, w, h), framed by `framing`, resized to
    `size` x `size` (`tfds_fer2013.readers.resize_face`: area averaging when shrinking): uint8
    `[N, size, size, 1]`.

    Parts of the square outside the image repeat the image's edge pixels (OpenCV's `getRectSubPix`).

    Example:
        >>> crop_faces(np.zeros((100, 80), "uint8"), [(10, 20, 40, 40)], Framing(1.2)).shape
        (1, 48, 48, 1)
    """
    import cv2

    gray = np.ascontiguousarray(gray)
    out = np.zeros((len(boxes), size, size, 1), np.uint8)
    for i, box in enumerate(np.asarray(boxes, dtype=np.float64).reshape(-1, 4)):
        cx, cy, side = framing.square(box)
        n = max(int(round(side)), 1)
        # getRectSubPix samples with bilinear weights at pixel centres: the pixel grid of the square
        crop = cv2.getRectSubPix(gray, (n, n), (cx - 0.5, cy - 0.5))
        out[i, :, :, 0] = resize_face(crop, size)
    return out
