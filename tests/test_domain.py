"""keras_fer.domain: measures blur from pixels, finds the sigma, flags a blurred training split."""

import numpy as np
import pytest

from keras_fer.domain import compare_splits, estimate_blur, gaussian_blur, radial_power, sharpness


def noise_images(n, seed):
    return np.random.default_rng(seed).uniform(0, 255, (n, 48, 48, 1)).astype("float32")


def test_blur_lowers_sharpness_and_high_frequency_power():
    x = noise_images(16, 0)
    b = gaussian_blur(x, 1.5)
    assert sharpness(b).max() < 0.5 * sharpness(x).min()
    p, q = radial_power(x), radial_power(b)
    assert p.shape == (25,) and q[20] < 0.01 * p[20]
    assert np.allclose(b.mean(axis=(1, 2, 3)), x.mean(axis=(1, 2, 3)), rtol=0.02)  # borders keep brightness


@pytest.mark.parametrize("sigma", [1.0, 2.5, 3.5])
def test_estimate_blur_recovers_the_sigma(sigma):
    blurred = gaussian_blur(noise_images(64, 1), sigma)
    assert abs(estimate_blur(blurred, noise_images(64, 2)) - sigma) <= 0.25


def test_compare_splits_flags_a_blurred_training_split_only():
    blurred = compare_splits(gaussian_blur(noise_images(200, 3), 2.0), noise_images(100, 4))
    assert blurred.mismatch and blurred.sharpness_ratio < 0.3
    assert abs(blurred.blur_sigma - 2.0) <= 0.25
    assert "sigma 2" in blurred.describe()
    same = compare_splits(noise_images(200, 5), noise_images(100, 6))
    assert not same.mismatch and 0.9 < same.sharpness_ratio < 1.1


def test_bad_shape_is_refused():
    with pytest.raises(ValueError, match=r"images of shape \(48, 48\)"):
        sharpness(np.zeros((48, 48)))
