"""Export a trained model through Keras' own `Model.export`, then check the export in its runtime.

Formats: `tf_saved_model` (TensorFlow), `onnx` (needs `tf2onnx`; checked with `onnxruntime`) and
`litert` (a `.tflite` file; checked with `ai-edge-litert`): `pip install "keras-fer[export]"`.
Each export is reloaded in its runtime and its outputs compared with the Keras model's.

Example:
    >>> from keras_fer.export import export, check                               # doctest: +SKIP
    >>> export(model, "fer.onnx", "onnx")                                       # doctest: +SKIP
    >>> check(model, "fer.onnx", "onnx", x)["max_abs_diff"] <= 1e-3             # doctest: +SKIP
    True
"""

from __future__ import annotations

from keras_fer.errors import KerasFerError

import pathlib
import shutil
import time

import numpy as np

FORMATS = ("tf_saved_model", "onnx", "litert")
_SUFFIX = {"onnx": ".onnx", "litert": ".tflite"}
_NEEDS = {"onnx": ("tf2onnx", "onnxruntime"), "litert": ("ai_edge_litert",), "tf_saved_model": ("tensorflow",)}


class ExportError(KerasFerError, RuntimeError):
    """An export that cannot be made or does not match its Keras model."""


def _require(fmt: str):
    import importlib.util

    missing = [m for m in _NEEDS[fmt] if importlib.util.find_spec(m) is None]
    if missing:
        raise ExportError(f"--format {fmt} needs {', '.join(missing)}: pip install \"keras-fer[export]\"")


def export(model, path, fmt: str) -> pathlib.Path:
    """Writes `model` as `fmt` to `path` (a folder for tf_saved_model, a file otherwise), atomically."""
    if fmt not in FORMATS:
        raise ExportError(f"format={fmt!r}: expected one of {FORMATS}")
    _require(fmt)
    path = pathlib.Path(path)
    if fmt in _SUFFIX and path.suffix != _SUFFIX[fmt]:
        raise ExportError(f"{path}: a {fmt} export is a {_SUFFIX[fmt]} file (--out)")
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    shutil.rmtree(tmp, ignore_errors=True) if tmp.is_dir() else tmp.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A model loaded from a file has never been called, and Keras' ONNX export refuses such a model:
    # one call on a zero batch builds what the exporters trace.
    model(np.zeros((1,) + tuple(model.input_shape[1:]), np.float32))
    model.export(str(tmp), format=fmt, verbose=False)
    if fmt == "onnx":
        _name_onnx_output(tmp)
    if path.is_dir():
        shutil.rmtree(path)
    tmp.replace(path)
    return path


#: The name of an ONNX export's output, and the metadata key that holds the class names (JSON list).
ONNX_OUTPUT = "probabilities"
ONNX_CLASS_NAMES_KEY = "class_names"


def _name_onnx_output(path) -> None:
    """Names the ONNX graph's output `probabilities` and records the class names in its metadata."""
    import json

    import onnx

    from tfds_fer2013 import CLASS_NAMES

    graph_model = onnx.load(str(path))
    graph = graph_model.graph
    old = graph.output[0].name
    for node in graph.node:
        node.output[:] = [ONNX_OUTPUT if name == old else name for name in node.output]
        node.input[:] = [ONNX_OUTPUT if name == old else name for name in node.input]
    graph.output[0].name = ONNX_OUTPUT
    entry = graph_model.metadata_props.add()
    entry.key, entry.value = ONNX_CLASS_NAMES_KEY, json.dumps(list(CLASS_NAMES))
    onnx.checker.check_model(graph_model)
    onnx.save(graph_model, str(path))


def load_runtime(path, fmt: str):
    """A function from a float32 `[N, 48, 48, 1]` batch to probabilities, run by the export's own runtime."""
    path = str(path)
    if fmt == "tf_saved_model":
        import tensorflow as tf

        loaded = tf.saved_model.load(path)  # kept referenced: `serve` needs its variables alive
        return lambda x: np.asarray(loaded.serve(tf.constant(x)))
    if fmt == "onnx":
        import onnxruntime as ort

        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        name = session.get_inputs()[0].name
        return lambda x: session.run(None, {name: x})[0]
    if fmt == "litert":
        from ai_edge_litert.interpreter import Interpreter

        interpreter = Interpreter(model_path=path)
        inp, out = interpreter.get_input_details()[0], interpreter.get_output_details()[0]

        def run(x):
            interpreter.resize_tensor_input(inp["index"], list(x.shape))
            interpreter.allocate_tensors()
            interpreter.set_tensor(inp["index"], x)
            interpreter.invoke()
            return interpreter.get_tensor(out["index"]).copy()

        return run
    raise ExportError(f"format={fmt!r}: expected one of {FORMATS}")


def check(model, path, fmt: str, x: np.ndarray, tolerance: float = 1e-3) -> dict:
    """Reloads the export in its runtime and compares it with `model` on `x`.

    Returns:
        `{"format", "path", "bytes", "max_abs_diff", "latency_ms"}` (latency: one image, median of 20).

    Raises:
        ExportError: the outputs differ by more than `tolerance`.
    """
    x = np.asarray(x, np.float32)
    run = load_runtime(path, fmt)
    diff = float(np.max(np.abs(run(x) - np.asarray(model.predict(x, verbose=0)))))
    times = []
    for i in range(21):
        start = time.perf_counter()
        run(x[i % len(x)][None])
        times.append(time.perf_counter() - start)
    p = pathlib.Path(path)
    size = sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) if p.is_dir() else p.stat().st_size
    result = {"format": fmt, "path": str(path), "bytes": size, "max_abs_diff": diff,
              "latency_ms": 1000 * float(np.median(times[1:]))}
    if diff > tolerance:
        raise ExportError(f"{path}: {fmt} outputs differ from the Keras model's by {diff:.2e} (> {tolerance:g})")
    return result
