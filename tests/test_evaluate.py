"""keras_fer.evaluate: one path for predictions, ensembles, metrics and confusion files."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from sklearn.metrics import accuracy_score, log_loss

from keras_fer.evaluate import Evaluation, as_model, evaluate, predict


def tiny(seed):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((48, 48, 1))
    x = keras.layers.Rescaling(1 / 255)(keras.layers.AveragePooling2D(8)(inputs))
    return keras.Model(inputs, keras.layers.Dense(7, activation="softmax")(keras.layers.Flatten()(x)), name="tiny")


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return rng.uniform(0, 255, (40, 48, 48, 1)).astype("float32"), rng.integers(0, 7, 40)


def test_arrays_and_tf_data_give_one_evaluation_and_sklearns_numbers(data):
    x, y = data
    model = tiny(0)
    a = evaluate(model, (x, y))
    b = evaluate(model, tf.data.Dataset.from_tensor_slices((x, y)).batch(16))
    np.testing.assert_allclose(a.probabilities, b.probabilities, atol=1e-6)
    assert np.array_equal(a.y_true, b.y_true) and np.array_equal(a.y_pred, a.probabilities.argmax(1))
    assert a.accuracy == pytest.approx(accuracy_score(y, a.y_pred))
    assert a.loss == pytest.approx(log_loss(y, a.probabilities, labels=list(range(7))), rel=1e-5)
    confusion = a.confusion(normalize=None)
    assert confusion.to_numpy().sum() == len(y) and np.trace(confusion.to_numpy()) == (a.y_pred == y).sum()
    assert a.per_class().loc["happy", "support"] == (y == 3).sum()
    assert "recall" in a.report()
    with pytest.raises(ValueError, match="no labels"):
        evaluate(model, x)


def test_several_models_are_averaged_through_the_ensemble(data):
    x, y = data
    m1, m2 = tiny(1), tiny(2)  # same names: the ensemble renames its members
    _, p1 = predict(m1, x)
    _, p2 = predict([m2], x)
    _, mean = predict([m1, m2], x)
    np.testing.assert_allclose(mean, (p1 + p2) / 2, atol=1e-6)
    assert as_model([m1]) is m1 and as_model(m1) is m1
    assert isinstance(as_model([m1, m2]), keras.Model)


def test_writes_the_confusion_files(tmp_path, data):
    x, y = data
    result = Evaluation(y, np.eye(7)[y])  # perfect predictions
    matrix, per_class = result.write(tmp_path / "out", title="t")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "confusion_matrix.csv", "confusion_matrix.png", "per_class.csv"]
    assert np.allclose(np.diag(matrix.to_numpy())[np.bincount(y, minlength=7) > 0], 1.0)
    assert result.accuracy == 1.0
