"""keras_fer.models.FerCNN: the seed's CNN, exactly; serialisable; validated arguments."""

import numpy as np
import pytest

import keras
from keras_fer import FerCNN
from conftest import run_model_saving_test


def test_seed_parameter_counts_and_layer_table():
    model = FerCNN()
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    non_trainable = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    assert (model.count_params(), trainable, non_trainable) == (3_258_379, 3_257_481, 898)
    table = [(type(l).__name__, l.count_params()) for l in model.layers[1:] if l.count_params()]
    assert table == [
        ("BatchNormalization", 4), ("Conv2D", 1664), ("BatchNormalization", 256), ("Conv2D", 204928),
        ("BatchNormalization", 512), ("Conv2D", 819456), ("BatchNormalization", 1024), ("Conv2D", 1638656),
        ("Dense", 590080), ("Dense", 1799),
    ]
    assert [l.rate for l in model.layers if isinstance(l, keras.layers.Dropout)] == [0.4] * 4 + [0.5]
    assert model.output_shape == (None, 7)


def test_options_do_not_change_the_defaults():
    assert FerCNN(rescale=1 / 255, augmentation=True).count_params() == 3_258_379
    assert FerCNN(filters=(32, 64, 128, 128), dense_units=128, num_classes=5).output_shape == (None, 5)
    logits = FerCNN(logits=True)
    assert logits.layers[-1].activation.__name__ == "linear"


def test_save_load_round_trip_identical_predictions(tmp_path):
    model = FerCNN(rescale=1 / 255, augmentation={"rotation": 10.0}, head_dropout=0.3)
    x = np.random.default_rng(0).uniform(0, 255, (4, 48, 48, 1)).astype("float32")
    run_model_saving_test(model, x, tmp_path / "cnn.keras")


def test_trains_a_step():
    model = FerCNN()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(np.zeros((8, 48, 48, 1), "float32"), np.arange(8) % 7, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


@pytest.mark.parametrize("shape", [(48, 48), (8, 48, 1), (48, 15, 1), "48x48", (48.0, 48, 1)])
def test_bad_input_shape(shape):
    with pytest.raises(ValueError, match=r"input_shape=.*expected \(height, width, channels\)"):
        FerCNN(input_shape=shape)


@pytest.mark.parametrize("classes", [1, 0, 2.5, "7"])
def test_bad_num_classes(classes):
    with pytest.raises(ValueError, match="num_classes=.*expected an integer >= 2"):
        FerCNN(num_classes=classes)


def test_unknown_keywords_raise_instead_of_passing_through():
    with pytest.raises(TypeError, match="'weigths'"):
        FerCNN(weigths="fer2013")


def test_config_is_the_public_attributes():
    model = FerCNN(dropout=0.3, rescale=1 / 255)
    assert model.dropout == 0.3 and model.get_config()["dropout"] == 0.3
    assert model.get_config()["input_shape"] == [48, 48, 1]
    assert FerCNN.from_config(model.get_config()).get_config() == model.get_config()
