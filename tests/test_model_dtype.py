"""`dtype=` of the zoo's constructors, as keras-hub's models take it: every layer under the policy, the
classifier float32, the global policy untouched, the argument kept through a `.keras` round trip."""

import keras
import numpy as np
import pytest

from keras_fer import FerCNN, FerDNN, FerVGG


@pytest.mark.parametrize("cls", [FerCNN, FerVGG, lambda **kw: FerDNN(param_budget=40000, **kw)],
                         ids=["FerCNN", "FerVGG", "FerDNN"])
@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "mixed_bfloat16"])
def test_every_layer_takes_the_policy_and_the_classifier_stays_float32(cls, dtype, tmp_path):
    model = cls(dtype=dtype, rescale=1 / 255)
    assert keras.config.dtype_policy().name == "float32"  # the caller's policy is left as it was
    for layer in model.layers:
        if layer.name == "predictions":
            assert layer.dtype_policy.name == "float32"
        elif not isinstance(layer, keras.layers.InputLayer):
            assert layer.dtype_policy.name == dtype, layer.name
    variables = {v.dtype for v in model.weights if "predictions" not in v.path}
    assert variables == {"bfloat16" if dtype == "bfloat16" else "float32"}
    x = np.random.default_rng(0).uniform(0, 255, (2, 48, 48, 1)).astype("float32")
    y = model.predict(x, verbose=0)
    assert y.dtype == np.float32 and np.allclose(y.sum(axis=1), 1.0, atol=1e-2)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert loaded.get_config()["dtype"] == dtype
    assert {layer.dtype_policy.name for layer in loaded.layers if layer.name not in ("predictions", "image")} == {dtype}


def test_no_dtype_follows_the_global_policy():
    model = FerVGG()
    assert model.get_config()["dtype"] is None
    assert model.get_layer("stage1_conv1").dtype_policy.name == "float32"
