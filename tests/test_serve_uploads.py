"""keras_fer.serve.uploads: what an upload may be, checked before its pixels are decoded."""

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from keras_fer.serve.uploads import UploadError, decode_upload


def encoded(image: Image.Image, fmt: str, **kw) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kw)
    return buffer.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A small valid PNG whose header says width x height (a decompression bomb's shape)."""
    data = encoded(Image.new("L", (8, 8)), "PNG")  # signature (8 bytes), IHDR chunk (25), the rest
    return data[:8] + png_chunk(b"IHDR", struct.pack(">II", width, height) + data[24:29]) + data[33:]


def status_of(data: bytes, **kw) -> tuple:
    with pytest.raises(UploadError) as caught:
        decode_upload(data, **kw)
    return caught.value.status, caught.value.message


def test_formats_decode_to_bgr():
    rgb = np.zeros((30, 40, 3), np.uint8)
    rgb[..., 0] = 200  # red
    for fmt in ("PNG", "BMP", "TIFF", "WEBP"):
        bgr = decode_upload(encoded(Image.fromarray(rgb), fmt, **({"lossless": True} if fmt == "WEBP" else {})))
        assert bgr.shape == (30, 40, 3) and bgr.dtype == np.uint8
        assert bgr[0, 0].tolist() == [0, 0, 200], fmt
    grey = decode_upload(encoded(Image.new("L", (20, 10), 77), "PNG"))
    assert grey.shape == (10, 20, 3) and (grey == 77).all()
    rgba = decode_upload(encoded(Image.new("RGBA", (20, 10), (10, 20, 30, 0)), "PNG"))
    assert rgba.shape == (10, 20, 3)


def test_exif_orientation_turns_the_photo_upright():
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to view": a phone's portrait
    bgr = decode_upload(encoded(Image.new("RGB", (64, 32)), "JPEG", exif=exif))
    assert bgr.shape == (64, 32, 3)


def test_bad_uploads_get_a_4xx_with_the_reason():
    assert status_of(b"")[0] == 400
    assert status_of(b"%PDF-1.4 not an image")[0] == 415
    assert status_of(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)[0] in (400, 415)
    jpeg = encoded(Image.new("RGB", (200, 200), (1, 2, 3)), "JPEG")
    status, message = status_of(jpeg[: len(jpeg) // 2])  # cut short in transfer
    assert status == 400 and "cannot be decoded" in message
    status, message = status_of(jpeg, max_bytes=len(jpeg) - 1)
    assert status == 413 and f"at most {len(jpeg) - 1:,} accepted" in message


def test_decompression_bombs_are_refused_before_decoding():
    status, message = status_of(png_claiming(8000, 6000))  # 48 MP claimed in a file of a few bytes
    assert status == 413 and "8000x6000" in message
    assert status_of(png_claiming(50_000, 50_000))[0] == 413  # PIL's own bomb limit
    status, message = status_of(encoded(Image.new("L", (100, 100)), "PNG"), max_pixels=9_999)
    assert status == 413 and "100x100" in message
