"""keras_fer.models.tta: mirror averaging, exact and loadable."""

import numpy as np
import pytest

import keras
from keras_fer import FerCNN, FerDNN, flip_tta
from keras_fer.models.tta import HorizontalFlip
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
