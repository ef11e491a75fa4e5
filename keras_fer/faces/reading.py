"""Reading photos and frames: any image file or array OpenCV or PIL gives, as upright 8-bit BGR."""

from __future__ import annotations

from keras_fer.errors import ConfigError

import pathlib
from typing import List, Optional, Sequence

import numpy as np

from keras_fer.faces.errors import DetectError
from tfds_fer2013.readers import IMAGE_SUFFIXES  # one list for the whole package

VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm")


def to_bgr8(image: np.ndarray) -> np.ndarray:
    """Any image OpenCV reads (grey, BGR, BGRA; 8 or 16 bits; float) as 8-bit BGR."""
    import cv2

    x = np.asarray(image)
    if x.dtype == np.uint16:
        x = (x // 257).astype(np.uint8)
    elif x.dtype != np.uint8:
        x = np.clip(x.astype(np.float64) * (255.0 if x.max() <= 1.0 else 1.0), 0, 255).astype(np.uint8)
    if x.ndim == 2:
        return cv2.cvtColor(x, cv2.COLOR_GRAY2BGR)
    if x.shape[2] == 1:
        return cv2.cvtColor(x[:, :, 0], cv2.COLOR_GRAY2BGR)
    if x.shape[2] == 4:
        return cv2.cvtColor(x, cv2.COLOR_BGRA2BGR)
    return x


def read_image(path) -> np.ndarray:
    """An image file as 8-bit BGR, turned upright by its EXIF orientation (as phones save portraits);
    raises `ValueError` naming the file when it cannot be read."""
    import cv2

    try:
        data = np.fromfile(str(path), dtype=np.uint8)  # also works for non-ASCII paths
    except OSError as err:
        raise ConfigError(f"{path}: cannot be read ({err.strerror or err})") from None
    if not data.size:
        raise ConfigError(f"{path}: an empty file, not an image")
    try:
        image = cv2.imdecode(data, cv2.IMREAD_COLOR)  # IMREAD_COLOR applies the EXIF orientation
    except cv2.error:
        image = None
    if image is None:
        raise ConfigError(f"{path}: not an image OpenCV can decode")
    return image



def expand_inputs(inputs: Sequence, exclude: Optional[pathlib.Path] = None) -> List[pathlib.Path]:
    """Files named, and the image and video files under folders named (recursively, sorted), less those
    under `exclude` (an output folder inside an input folder is never read back as input)."""
    files = []
    skip = pathlib.Path(exclude).resolve() if exclude is not None else None
    for item in inputs:
        path = pathlib.Path(item)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file()
                            and p.suffix.lower() in IMAGE_SUFFIXES + VIDEO_SUFFIXES
                            and not (skip is not None and p.resolve().is_relative_to(skip)))
        elif path.is_file():
            files.append(path)
        else:
            raise DetectError(f"{path}: no such file or folder")
    return files



def as_bgr(image, channels: str = "rgb") -> np.ndarray:
    """A path, a PIL image or a numpy array (RGB, or BGR with `channels="bgr"`; grey; RGBA) as 8-bit BGR.

    Raises:
        DetectError: anything else (None, an empty array, a shape that is no image).
    """
    if image is None:
        raise DetectError("image=None: expected a file path, a PIL image or a numpy array")
    if isinstance(image, (str, pathlib.Path)):
        return read_image(image)
    if hasattr(image, "mode") and hasattr(image, "convert"):  # a PIL image, upright by its EXIF orientation
        from PIL import ImageOps

        image = ImageOps.exif_transpose(image)
        image, channels = np.asarray(image.convert("RGBA" if "A" in image.mode else "RGB")), "rgb"
    x = np.asarray(image)
    if x.ndim not in (2, 3) or x.size == 0 or (x.ndim == 3 and x.shape[2] not in (1, 3, 4)) or x.dtype == object:
        raise DetectError(f"an image of shape {x.shape} and dtype {x.dtype}: expected [H, W], [H, W, 1], [H, W, 3] "
                          "or [H, W, 4] pixels")
    if x.ndim == 3 and x.shape[2] in (3, 4) and channels == "rgb":
        x = x[:, :, [2, 1, 0] + ([3] if x.shape[2] == 4 else [])]
    elif channels not in ("rgb", "bgr"):
        raise ConfigError(f"channels={channels!r}: expected 'rgb' or 'bgr'")
    return to_bgr8(np.ascontiguousarray(x))


