"""A cheap guard against blurred copies of FER2013: compare the sharpness of two splits.

Copies of FER2013 circulate whose training images were blurred (or shrunk and enlarged) while the
test images were not; a model trained on them loses much of its test accuracy. `blur_warning`
measures the variance of the Laplacian (the usual focus measure) on a few hundred images of each
split and returns one line when the training images are markedly blurrier.

Example:
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> sharp = rng.uniform(0, 255, (300, 48, 48, 1))
    >>> blurred = (sharp + np.roll(sharp, 1, 1) + np.roll(sharp, 1, 2) + np.roll(sharp, (1, 1), (1, 2))) / 4
    >>> blur_warning(sharp, sharp) is None
    True
    >>> blur_warning(blurred, sharp)[:45]
    'the training images are 13.3x blurrier than p'
"""

from __future__ import annotations

from keras_fer.errors import ConfigError

from typing import Optional

import numpy as np

#: Warn when public_test's median Laplacian variance is more than this many times the training split's.
RATIO_WARNING = 2.0


def laplacian_variance(images) -> np.ndarray:
    """Variance of the 4-neighbour Laplacian of each image (0..255 scale), over the interior pixels.

    Args:
        images: `[N, H, W]` or `[N, H, W, C]` (channels are averaged).

    Returns:
        float64 `[N]`.
    """
    x = np.asarray(images, dtype=np.float64)
    if x.ndim == 4:
        x = x.mean(axis=-1)
    if x.ndim != 3 or min(x.shape[1:]) < 3:
        raise ConfigError(f"images of shape {np.shape(images)}: expected [N, H, W] or [N, H, W, C], H, W >= 3")
    lap = (x[:, :-2, 1:-1] + x[:, 2:, 1:-1] + x[:, 1:-1, :-2] + x[:, 1:-1, 2:] - 4 * x[:, 1:-1, 1:-1])
    return lap.reshape(len(x), -1).var(axis=1)


def blur_warning(train_images, test_images, max_images: int = 300,
                 ratio: float = RATIO_WARNING) -> Optional[str]:
    """One line naming both figures when the training images are more than `ratio`x blurrier, else None.

    Uses the first `max_images` images of each split; the median Laplacian variance of each is compared.
    """
    train = float(np.median(laplacian_variance(np.asarray(train_images)[:max_images])))
    test = float(np.median(laplacian_variance(np.asarray(test_images)[:max_images])))
    if test <= ratio * max(train, 1e-9):
        return None
    return (f"the training images are {test / max(train, 1e-9):.1f}x blurrier than public_test "
            f"(median variance of the Laplacian {train:.0f} vs {test:.0f} over {max_images} images each); "
            "a model trained on them will do poorly on sharp faces: check your copy of FER2013")
