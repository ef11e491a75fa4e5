"""Compare the training images with the images a model will meet: sharpness, contrast, blur.

A model learns the images it is shown. If every training image has been blurred (or shrunk and
enlarged again) and the test images have not, the network never sees the detail that the test
images carry. `compare_splits` measures that from the pixels alone (no labels), and
`estimate_blur` finds the Gaussian blur that makes sharp images look like the training ones, for
`keras_fer.layers.InferenceBlur`.

Computed with numpy alone (no backend ops): works with any backend and without TensorFlow.

Example:
    >>> import numpy as np
    >>> from keras_fer.domain import gaussian_blur, estimate_blur
    >>> rng = np.random.default_rng(0)
    >>> sharp = rng.uniform(0, 255, (64, 48, 48, 1)).astype("float32")
    >>> blurred = gaussian_blur(rng.uniform(0, 255, (64, 48, 48, 1)).astype("float32"), 2.0)
    >>> estimate_blur(blurred, sharp)
    2.0
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

import numpy as np

from keras_fer.layers.blur import gaussian_kernel

#: Training images whose median sharpness is below this fraction of the test images' are flagged.
SHARPNESS_RATIO_WARNING = 0.6


def _gray(images) -> np.ndarray:
    x = np.asarray(images, dtype=np.float32)
    if x.ndim == 4:
        x = x.mean(axis=-1)
    if x.ndim != 3:
        raise ValueError(f"images of shape {np.shape(images)}: expected [N, H, W] or [N, H, W, C]")
    return x


def sharpness(images) -> np.ndarray:
    """Mean absolute difference between horizontally neighbouring pixels, per image (0..255 scale)."""
    x = _gray(images)
    return np.abs(np.diff(x, axis=2)).mean(axis=(1, 2))


def gaussian_blur(images, sigma: float) -> np.ndarray:
    """Separable Gaussian blur over H and W with symmetric borders (what `InferenceBlur` computes)."""
    x = np.asarray(images, dtype=np.float32)
    if sigma <= 0:
        return x
    k = gaussian_kernel(sigma)
    r = len(k) // 2
    pad = [(0, 0), (r, r), (r, r)] + [(0, 0)] * (x.ndim - 3)
    p = np.pad(x, pad, mode="symmetric")
    h, w = x.shape[1], x.shape[2]
    rows = sum(k[i] * p[:, :, i:i + w] for i in range(len(k)))
    return sum(k[i] * rows[:, i:i + h] for i in range(len(k))).astype(np.float32)


def radial_power(images) -> np.ndarray:
    """Mean power spectrum of mean-removed images by integer radius (cycles per image), r = 0..H/2."""
    x = _gray(images).astype(np.float64)
    x = x - x.mean(axis=(1, 2), keepdims=True)
    power = (np.abs(np.fft.fft2(x)) ** 2).mean(axis=0)
    h, w = power.shape
    fy, fx = np.meshgrid(np.fft.fftfreq(h) * h, np.fft.fftfreq(w) * w, indexing="ij")
    radius = np.round(np.hypot(fy, fx)).astype(int)
    sums = np.bincount(radius.ravel(), power.ravel())
    counts = np.bincount(radius.ravel())
    return (sums / np.maximum(counts, 1))[: min(h, w) // 2 + 1]


def estimate_blur(reference, target, sigmas: Sequence[float] = tuple(np.arange(0.0, 6.01, 0.25)),
                  max_radius: int = 8) -> float:
    """The Gaussian sigma that, applied to `target`, best matches the spectrum of `reference`.

    Matches the shape of the radial power spectrum (log power relative to radius 1) over radii
    1..`max_radius`, where a blur removes most power and sensor or compression noise does not yet
    dominate.

    Args:
        reference: the images to look like (e.g. training images).
        target: the images to blur (e.g. test images).
        sigmas: candidates.
        max_radius: highest spatial frequency compared (cycles per image).

    Returns:
        The best sigma among `sigmas` (0.0 when `target` is already no sharper).
    """
    def shape(p):
        p = np.maximum(p[1:max_radius + 1], 1e-12)
        return np.log(p / p[0])

    want = shape(radial_power(reference))
    target = _gray(target)
    errors = [float(np.abs(shape(radial_power(gaussian_blur(target, s))) - want).mean()) for s in sigmas]
    return float(sigmas[int(np.argmin(errors))])


@dataclasses.dataclass(frozen=True)
class DomainReport:
    """What `compare_splits` measured."""

    train_sharpness: float  # median over images
    test_sharpness: float
    train_contrast: float  # median per-image standard deviation, 0..255
    test_contrast: float
    blur_sigma: float  # Gaussian sigma that makes the test images look like the training ones

    @property
    def sharpness_ratio(self) -> float:
        return self.train_sharpness / max(self.test_sharpness, 1e-9)

    @property
    def mismatch(self) -> bool:
        """True when the training images are markedly blurrier than the test images."""
        return self.sharpness_ratio < SHARPNESS_RATIO_WARNING

    def describe(self, train_name="train", test_name="test") -> str:
        return (f"median sharpness {train_name} {self.train_sharpness:.2f} vs {test_name} {self.test_sharpness:.2f} "
                f"(ratio {self.sharpness_ratio:.2f}); median contrast {self.train_contrast:.1f} vs "
                f"{self.test_contrast:.1f}; Gaussian blur that makes {test_name} look like {train_name}: "
                f"sigma {self.blur_sigma:g} px")


def compare_splits(train_images, test_images, max_images: int = 4000, seed: int = 0) -> DomainReport:
    """Measures whether the training images are blurrier than the test images (pixels only, no labels).

    Args:
        train_images, test_images: [N, H, W(, C)] arrays on the 0..255 scale.
        max_images: use at most this many images of each (a fixed random sample).
        seed: seed of that sample.

    Returns:
        A `DomainReport`; `.mismatch` says whether to worry, `.blur_sigma` what to do about it.
    """
    rng = np.random.default_rng(seed)

    def sample(x):
        x = _gray(x)
        if len(x) > max_images:
            x = x[np.sort(rng.choice(len(x), max_images, replace=False))]
        return x

    train, test = sample(train_images), sample(test_images)
    return DomainReport(
        train_sharpness=float(np.median(sharpness(train))),
        test_sharpness=float(np.median(sharpness(test))),
        train_contrast=float(np.median(train.reshape(len(train), -1).std(axis=1))),
        test_contrast=float(np.median(test.reshape(len(test), -1).std(axis=1))),
        blur_sigma=estimate_blur(train, test),
    )
