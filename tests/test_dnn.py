"""keras_fer.models.FerDNN: the seed's DNN, any budget exactly, serialisable."""

import numpy as np
import pytest

import keras
from keras_fer import FerCNN, FerDNN
from conftest import run_model_saving_test


def test_seed_widths_and_counts():
    model = FerDNN()
    dense = [l.units for l in model.layers if isinstance(l, keras.layers.Dense)]
    assert dense == [1152, 432, 180, 90, 44, 7]
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert (model.count_params(), trainable) == (3_258_363, 3_254_833)
    assert [l.use_bias for l in model.layers if isinstance(l, keras.layers.Dense)] == [True, False, False, False, True, True]


def test_budget_matches_the_cnn_exactly():
    assert FerDNN(param_budget=FerCNN().count_params()).count_params() == 3_258_379
    for budget in (150_000, 1_234_567, 7_000_001):
        assert FerDNN(param_budget=budget).count_params() == budget


def test_save_load_keeps_the_solved_widths(tmp_path):
    model = FerDNN(param_budget=1_000_003, rescale=1 / 255)
    x = np.random.default_rng(0).uniform(0, 255, (3, 48, 48, 1)).astype("float32")
    loaded = run_model_saving_test(model, x, tmp_path / "dnn.keras")
    assert loaded.count_params() == 1_000_003


def test_bad_arguments():
    with pytest.raises(ValueError, match="param_budget=-3: expected a positive integer"):
        FerDNN(param_budget=-3)
    with pytest.raises(ValueError, match="param_budget or widths, not both"):
        FerDNN(param_budget=200_000, widths=(1, 2, 3, 4, 5))
    with pytest.raises(ValueError, match="expected five positive integers"):
        FerDNN(widths=(1, 2, 3))
    with pytest.raises(ValueError, match="input_shape="):
        FerDNN(input_shape=(10, 10, 1))


def test_the_cnns_dropout_vocabulary_and_the_budget_kept():
    model = FerDNN(param_budget=500_000, dropout=0.3, head_dropout=0.2)
    assert model.param_budget == 500_000 and model.get_layer("dropout5").rate == 0.2
    assert [model.get_layer(f"dropout{i}").rate for i in (1, 2, 3, 4)] == [0.3] * 4
    with pytest.raises(TypeError, match="'last_dropout'"):
        FerDNN(last_dropout=0.5)
