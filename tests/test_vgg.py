"""keras_fer.models.FerVGG: 3x3 stages with BatchNorm; serialisable; trains; cheaper than FerCNN."""

import numpy as np
import pytest

import keras
from keras_fer import FerCNN, FerVGG
from conftest import run_model_saving_test


def conv_macs(model):
    """Multiply-accumulates of the convolutions for one image."""
    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            h, w, c_out = layer.output.shape[1:]
            total += h * w * c_out * int(np.prod(layer.kernel.shape[:3]))
    return total


def test_stages_parameters_and_cost():
    model = FerVGG()
    assert model.count_params() == 1_767_207 and model.output_shape == (None, 7)
    convs = [l for l in model.layers if isinstance(l, keras.layers.Conv2D)]
    assert [l.filters for l in convs] == [32, 32, 64, 64, 128, 128, 256, 256]
    assert all(l.kernel_size == (3, 3) for l in convs)
    assert conv_macs(model) < 0.45 * conv_macs(FerCNN())  # about 0.12 GMAC against 0.30
    assert FerVGG(filters=(16, 32), convs_per_stage=1, num_classes=3).output_shape == (None, 3)
    with pytest.raises(ValueError, match="convs_per_stage=0"):
        FerVGG(convs_per_stage=0)
    with pytest.raises(TypeError, match="'colour'"):
        FerVGG(colour=True)


def test_save_load_round_trip_identical_predictions(tmp_path):
    model = FerVGG(rescale=1 / 255, augmentation={"scale": 0.2, "gamma": 0.3}, filters=(8, 16))
    x = np.random.default_rng(0).uniform(0, 255, (4, 48, 48, 1)).astype("float32")
    run_model_saving_test(model, x, tmp_path / "vgg.keras")


def test_learns_a_small_separable_problem():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 64)
    x = (rng.uniform(0, 60, (64, 48, 48, 1)) + 150 * y[:, None, None, None]).astype("float32")
    model = FerVGG(filters=(8, 16), dense_units=16, num_classes=2, rescale=1 / 255)
    model.compile(keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=8, batch_size=16, verbose=0)
    assert history.history["accuracy"][-1] > 0.9
