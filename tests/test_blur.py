"""keras_fer.layers.blur: inference-only Gaussian blur, equal to the numpy one, saved with the model."""

import numpy as np
import keras
import pytest

from keras_fer import FerCNN, FerDNN
from keras_fer.domain import gaussian_blur
from keras_fer.layers import InferenceBlur
from keras_fer.layers.blur import inference_blur_off


def test_inference_blurs_and_training_passes_through():
    x = np.random.default_rng(0).uniform(0, 255, (4, 48, 48, 1)).astype("float32")
    layer = InferenceBlur(2.0)
    assert np.allclose(np.asarray(layer(x)), gaussian_blur(x, 2.0), atol=1e-3)
    assert np.array_equal(np.asarray(layer(x, training=True)), x)
    assert np.array_equal(np.asarray(InferenceBlur(0)(x)), x)


def test_runs_in_float32_under_a_bfloat16_policy():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        layer = InferenceBlur(3.5)
        y = layer(np.ones((2, 48, 48, 1), "float32"))
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert layer.compute_dtype == "float32" and np.allclose(np.asarray(y), 1.0, atol=1e-5)


@pytest.mark.parametrize("sigma", [-1, float("nan"), "wide"])
def test_bad_sigma(sigma):
    with pytest.raises((ValueError, TypeError)):
        InferenceBlur(sigma)


def test_models_keep_their_parameter_count_and_reload_with_the_blur(tmp_path):
    assert FerCNN(inference_blur=3.5).count_params() == FerCNN().count_params() == 3_258_379
    assert FerDNN(inference_blur=1.0).count_params() == FerDNN().count_params()
    model = FerCNN(input_shape=(16, 16, 1), filters=(4, 4, 4, 4), dense_units=8, inference_blur=1.5, rescale=1 / 255)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert loaded.get_layer("inference_blur").sigma == 1.5
    x = np.random.default_rng(1).uniform(0, 255, (3, 16, 16, 1)).astype("float32")
    assert np.allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-5)


def test_blur_off_restores_sigma_even_after_an_error():
    model = FerDNN(param_budget=150_000, inference_blur=3.5)
    x = np.random.default_rng(1).uniform(0, 255, (2, 48, 48, 1)).astype("float32")
    with inference_blur_off(model):
        assert model.get_layer("inference_blur").sigma == 0.0
        np.testing.assert_allclose(np.asarray(model.get_layer("inference_blur")(x)), x)
    with pytest.raises(RuntimeError):
        with inference_blur_off(model):
            raise RuntimeError("inside")
    assert model.get_layer("inference_blur").sigma == 3.5
