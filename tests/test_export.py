"""keras_fer.export / `keras-fer export`: Keras' Model.export, reloaded and compared in each runtime."""

import numpy as np
import pytest

from keras_fer import FerCNN
from keras_fer.cli import main
from keras_fer.export import FORMATS, ExportError, check, export

SUFFIX = {"tf_saved_model": "", "onnx": ".onnx", "litert": ".tflite"}


@pytest.fixture(scope="module")
def model():
    return FerCNN(filters=(4, 4, 8, 8), dense_units=8, rescale=1 / 255)


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_reloads_and_matches(tmp_path, model, fmt):
    x = np.random.default_rng(0).uniform(0, 255, (8, 48, 48, 1)).astype("float32")
    path = export(model, tmp_path / f"m{SUFFIX[fmt]}", fmt)
    result = check(model, path, fmt, x)
    assert result["max_abs_diff"] <= 1e-3 and result["bytes"] > 0 and result["latency_ms"] > 0
    assert not list(tmp_path.glob(".*tmp*"))  # nothing half-written left


def test_a_mismatch_is_an_error(tmp_path, model):
    path = export(model, tmp_path / "m.onnx", "onnx")
    other = FerCNN(filters=(4, 4, 8, 8), dense_units=8, rescale=1 / 255)  # other random weights
    with pytest.raises(ExportError, match="differ from the Keras model"):
        check(other, path, "onnx", np.random.default_rng(1).uniform(0, 255, (4, 48, 48, 1)))


def test_wrong_suffix_and_format(tmp_path, model):
    with pytest.raises(ExportError, match="a onnx export is a .onnx file"):
        export(model, tmp_path / "m.tflite", "onnx")
    with pytest.raises(ExportError, match="format='coreml'"):
        export(model, tmp_path / "m", "coreml")


def test_cli(tmp_path, model, capsys):
    model.save(tmp_path / "m.keras")
    assert main(["export", str(tmp_path / "m.keras"), "--format", "litert", "--out", str(tmp_path / "m.tflite")]) == 0
    assert "max |difference|" in capsys.readouterr().out
    assert main(["export", str(tmp_path / "m.keras"), "--format", "onnx", "--out", str(tmp_path / "m.pb")]) == 2
    assert "a onnx export is a .onnx file" in capsys.readouterr().err


def test_onnx_of_a_loaded_model_never_called_names_its_output_and_classes(tmp_path):
    """A model straight from a .keras file has never been called: the export still works (README's line)."""
    import json

    import keras
    import onnx

    from keras_fer import CLASS_NAMES
    from keras_fer.export import ONNX_CLASS_NAMES_KEY, ONNX_OUTPUT

    FerCNN(filters=(4, 4, 8, 8), dense_units=8, rescale=1 / 255).save(tmp_path / "m.keras")
    fresh = keras.saving.load_model(tmp_path / "m.keras", compile=False)
    path = export(fresh, tmp_path / "m.onnx", "onnx")
    graph = onnx.load(str(path))
    assert [o.name for o in graph.graph.output] == [ONNX_OUTPUT]
    assert json.loads({p.key: p.value for p in graph.metadata_props}[ONNX_CLASS_NAMES_KEY]) == list(CLASS_NAMES)
    x = np.random.default_rng(2).uniform(0, 255, (4, 48, 48, 1)).astype("float32")
    assert check(fresh, path, "onnx", x)["max_abs_diff"] <= 1e-3
