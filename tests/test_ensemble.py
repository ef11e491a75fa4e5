"""keras_fer.models.ensemble: the mean of members' probabilities, as one loadable Keras model."""

import numpy as np
import pytest

from keras_fer import FerCNN, FerDNN, ensemble
from conftest import run_model_saving_test


def test_averages_probabilities_and_round_trips(tmp_path):
    members = [FerCNN(name="cnn"), FerDNN(name="dnn"), FerDNN(param_budget=200_000, name="small")]
    model = ensemble(members)
    x = np.random.default_rng(0).uniform(0, 1, (5, 48, 48, 1)).astype("float32")
    expected = np.mean([m.predict(x, verbose=0) for m in members], axis=0)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, atol=1e-6)
    run_model_saving_test(model, x, tmp_path / "ens.keras", atol=1e-6)


def test_same_names_are_made_unique_and_the_callers_models_keep_theirs(tmp_path):
    members = [FerCNN(), FerCNN()]
    model = ensemble(members)
    assert len({l.name for l in model.layers}) == len(model.layers)
    assert [m.name for m in members] == ["fer_cnn", "fer_cnn"]
    x = np.random.default_rng(1).uniform(0, 1, (3, 48, 48, 1)).astype("float32")
    expected = np.mean([m.predict(x, verbose=0) for m in members], axis=0)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, atol=1e-6)
    run_model_saving_test(model, x, tmp_path / "twins.keras", atol=1e-6)


def test_mismatched_members_and_empty():
    with pytest.raises(ValueError, match=r"maps \(None, 48, 48, 1\) -> \(None, 5\).*members must match"):
        ensemble([FerCNN(name="a"), FerCNN(num_classes=5, name="b")])
    with pytest.raises(ValueError, match=r"maps \(None, 64, 64, 1\)"):
        ensemble([FerDNN(name="a"), FerDNN(input_shape=(64, 64, 1), name="b")])
    with pytest.raises(ValueError, match="at least one model"):
        ensemble([])
