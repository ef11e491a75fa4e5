"""keras_fer.models.tta: mirror and zoom averaging, exact and loadable."""

import numpy as np
import pytest

import keras
from keras_fer import FerCNN, FerDNN, flip_tta
from keras_fer.models.tta import CentreZoom, HorizontalFlip, with_tta, zoom_tta
from conftest import run_model_saving_test


def test_mean_of_image_and_mirror_and_round_trip(tmp_path):
    base = FerDNN(param_budget=150_000)
    x = np.random.default_rng(0).uniform(0, 255, (6, 48, 48, 1)).astype("float32")
    expected = (base.predict(x, verbose=0) + base.predict(x[:, :, ::-1], verbose=0)) / 2
    model = flip_tta(base)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, atol=1e-6)
    # a mirrored input gives the same answer: the TTA model is mirror-invariant
    np.testing.assert_allclose(model.predict(x[:, :, ::-1], verbose=0), expected, atol=1e-6)
    assert model.count_params() == base.count_params()
    run_model_saving_test(model, x, tmp_path / "tta.keras", atol=1e-6)


def test_flip_layer_mirrors_width_only():
    x = np.arange(2 * 3 * 4 * 1, dtype="float32").reshape(2, 3, 4, 1)
    np.testing.assert_array_equal(np.asarray(HorizontalFlip()(x)), x[:, :, ::-1])


def test_rejects_a_model_without_image_inputs():
    flat = keras.Sequential([keras.Input((10,)), keras.layers.Dense(7, activation="softmax")])
    with pytest.raises(ValueError, match=r"inputs of shape \(None, 10\).*image batches"):
        flip_tta(flat)
    assert flip_tta(FerCNN(name="c")).name == "c_flip_tta"


@pytest.mark.parametrize("margin", [1, 3])
def test_zoom_is_the_centre_enlarged_as_opencv_enlarges_it(margin):
    import cv2

    x = np.random.default_rng(1).uniform(0, 255, (3, 48, 48, 1)).astype("float32")
    expected = np.stack([cv2.resize(img[margin:48 - margin, margin:48 - margin, 0], (48, 48),
                                    interpolation=cv2.INTER_LINEAR)[:, :, None] for img in x])
    np.testing.assert_allclose(np.asarray(CentreZoom(margin)(x)), expected, atol=2e-3)
    with pytest.raises(ValueError, match="margin=0"):
        CentreZoom(0)


def test_zoom_tta_is_the_mean_of_four_views_and_round_trips(tmp_path):
    base = FerDNN(param_budget=150_000)
    x = np.random.default_rng(0).uniform(0, 255, (6, 48, 48, 1)).astype("float32")
    zoomed = np.asarray(CentreZoom(1)(x))
    expected = np.mean([base.predict(v, verbose=0) for v in (x, x[:, :, ::-1], zoomed, zoomed[:, :, ::-1])], axis=0)
    model = zoom_tta(base)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, atol=1e-6)
    assert not np.allclose(expected, flip_tta(base).predict(x, verbose=0), atol=1e-4)  # the zoom is seen
    np.testing.assert_allclose(model.predict(x[:, :, ::-1], verbose=0), expected, atol=1e-5)
    run_model_saving_test(model, x, tmp_path / "zoom.keras", atol=1e-6)
    with pytest.raises(ValueError, match="leaves nothing"):
        zoom_tta(base, margin=24)


def test_with_tta_names_each_mode_and_refuses_others():
    base = FerCNN(name="c")
    assert with_tta(base, "none") is base and with_tta(base, False) is base
    assert with_tta(base, True).name == with_tta(base, "mirror").name == "c_flip_tta"
    assert with_tta(base, "zoom").name == "c_zoom_tta"
    with pytest.raises(ValueError, match="tta='ten'; expected one of none, mirror, zoom"):
        with_tta(base, "ten")
