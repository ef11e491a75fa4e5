"""keras_fer.sharpness: the one-line guard against a training split blurrier than public_test."""

import numpy as np
import pytest

from keras_fer.sharpness import blur_warning, laplacian_variance


def box_blur(x):
    return (x + np.roll(x, 1, 1) + np.roll(x, 1, 2) + np.roll(x, (1, 1), (1, 2))) / 4


def test_laplacian_variance_of_flat_and_checkerboard_images():
    flat = np.full((1, 8, 8), 100.0)
    checker = (np.indices((8, 8)).sum(axis=0) % 2 * 255.0)[None]
    assert laplacian_variance(flat)[0] == 0.0
    # every interior Laplacian is +-4*255 (alternating): variance (4*255)^2
    assert laplacian_variance(checker)[0] == pytest.approx((4 * 255) ** 2)
    assert laplacian_variance(checker[..., None]).shape == (1,)  # a channel axis is averaged away


def test_blurred_training_images_are_named_with_both_figures():
    rng = np.random.default_rng(0)
    sharp = rng.uniform(0, 255, (400, 48, 48))
    line = blur_warning(box_blur(sharp), sharp)
    train, test = np.median(laplacian_variance(box_blur(sharp)[:300])), np.median(laplacian_variance(sharp[:300]))
    assert f"{train:.0f} vs {test:.0f}" in line and f"{test / train:.1f}x blurrier" in line


def test_the_threshold_is_twice_as_blurry():
    rng = np.random.default_rng(1)
    sharp = rng.uniform(0, 255, (300, 48, 48))
    assert blur_warning(sharp, sharp) is None
    assert blur_warning(sharp * 0.75, sharp) is None  # 1.8x lower variance: under the threshold
    assert blur_warning(sharp * 0.7, sharp) is not None  # 2.04x
    assert blur_warning(sharp, box_blur(sharp)) is None  # sharper training images are no worry


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match=r"images of shape \(48, 48\)"):
        laplacian_variance(np.zeros((48, 48)))
