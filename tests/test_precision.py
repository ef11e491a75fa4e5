"""keras_fer.precision: the auto choice follows the hardware; the output stays float32."""

import keras
import numpy as np
import pytest

from keras_fer import FerCNN
from keras_fer import precision


def test_explicit_and_invalid():
    assert precision.resolve_precision("float32") == "float32"
    with pytest.raises(ValueError, match="precision='fp8'"):
        precision.resolve_precision("fp8")


def test_auto_follows_cpu_flags(monkeypatch):
    monkeypatch.setattr(precision, "_gpu_with_tensor_cores", lambda: False)
    monkeypatch.setattr(precision, "_cpu_flags", lambda: {"avx2", "avx512_bf16"})
    assert precision.resolve_precision("auto") == "mixed_bfloat16"
    monkeypatch.setattr(precision, "_cpu_flags", lambda: {"avx2"})
    assert precision.resolve_precision("auto") == "float32"
    monkeypatch.setattr(precision, "_gpu_with_tensor_cores", lambda: True)
    assert precision.resolve_precision("auto") == "mixed_float16"


def test_mixed_policy_keeps_the_softmax_in_float32():
    try:
        precision.set_precision("mixed_bfloat16")
        model = FerCNN()
        assert model.layers[2].compute_dtype == "bfloat16"
        out = model.predict(np.zeros((2, 48, 48, 1), "float32"), verbose=0)
        assert out.dtype == np.float32 and np.allclose(out.sum(1), 1.0, atol=1e-5)
    finally:
        keras.mixed_precision.set_global_policy("float32")
