"""Uploaded bytes -> an upright 8-bit BGR image, or an `UploadError` carrying the HTTP status to answer.

Checked before any pixel is decoded: the size of the upload, that it is an image PIL knows (by its
content, not its name), and that its width x height stays under `max_pixels` (a decompression bomb is a
small file that claims a huge picture). Nothing is written to disk.

Example:
    >>> import io; from PIL import Image
    >>> buffer = io.BytesIO(); Image.new("RGB", (64, 48)).save(buffer, "PNG")
    >>> decode_upload(buffer.getvalue()).shape
    (48, 64, 3)
    >>> try:
    ...     decode_upload(b"hello")
    ... except UploadError as err:
    ...     print(err.status, err.message)
    415 the upload is not an image (JPEG, PNG, WebP, BMP, TIFF or GIF expected)
"""

from __future__ import annotations

import io
import warnings

import numpy as np

from keras_fer.errors import KerasFerError

#: Upload limits: 10 MiB, and 40 megapixels (a 12 MP phone photo is well inside).
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "TIFF", "GIF")


class UploadError(KerasFerError):
    """An upload the server refuses: `status` is the HTTP status (4xx), the message says why."""

    def __init__(self, status: int, message: str):
        super().__init__(f"{status}: {message}")
        self.status, self.message = status, message


def decode_upload(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """The image in `data` as upright 8-bit BGR `[H, W, 3]`.

    Raises:
        UploadError: 400 empty or broken, 413 over `max_bytes` or `max_pixels`, 415 not an image.
    """
    from PIL import Image, UnidentifiedImageError

    from keras_fer.faces.reading import as_bgr

    if not data:
        raise UploadError(400, "the upload is empty: send the image's bytes as the request body or as the form "
                               "field 'image'")
    if len(data) > max_bytes:
        raise UploadError(413, f"the upload is {len(data):,} bytes: at most {max_bytes:,} accepted")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)  # PIL's bomb warning refuses too
        try:
            image = Image.open(io.BytesIO(data), formats=FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
            raise UploadError(413, f"the image claims too many pixels ({err})") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise UploadError(415, "the upload is not an image (JPEG, PNG, WebP, BMP, TIFF or GIF expected)") from None
        width, height = image.size
        if width * height > max_pixels:
            raise UploadError(413, f"the image is {width}x{height} pixels: at most {max_pixels:,} pixels accepted")
        try:
            image.load()
            return as_bgr(image)  # upright by its EXIF orientation, as `detect` reads photos
        except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError,
                Image.DecompressionBombWarning) as err:
            raise UploadError(400, f"the image cannot be decoded ({err})") from None
