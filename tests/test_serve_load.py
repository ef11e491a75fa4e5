"""benchmarks/serve_load.py's `load()`: counts what a real loopback server answered (tiny, fake model)."""

import importlib.util
import pathlib
import threading
import time

import numpy as np
import pytest

uvicorn = pytest.importorskip("uvicorn")
pytest.importorskip("fastapi")

from keras_fer.serve import create_app  # noqa: E402
from test_serve_app import SlowDetector, jpeg_of  # noqa: E402
from keras_fer.serve.process import free_port  # noqa: E402

spec = importlib.util.spec_from_file_location(
    "serve_load", pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "serve_load.py")
serve_load = importlib.util.module_from_spec(spec)
spec.loader.exec_module(serve_load)


class FastDetector(SlowDetector):
    def classify(self, crops):
        self.calls.append(len(crops))
        time.sleep(0.01)
        return np.tile(np.eye(7)[3], (len(crops), 1))


def test_load_counts_answers_latencies_and_errors():
    port = free_port()
    detector = FastDetector()
    server = uvicorn.Server(uvicorn.Config(create_app(detector, window=0.02), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                serve_load.health(url)
                break
            except OSError:
                time.sleep(0.05)
        row = serve_load.load(url, jpeg_of(np.zeros((32, 32, 3), np.uint8)), clients=4, seconds=1.0)
        assert row["errors"] == 0 and row["requests"] == row["ok"] == sum(detector.calls) > 4
        assert row["requests_per_s"] == pytest.approx(row["ok"] / row["seconds"], rel=0.1)
        assert 10 <= row["p50_ms"] <= row["p95_ms"] < 1000
        assert serve_load.health(url)["faces_per_call"] > 1  # four clients shared model calls
        bad = serve_load.load(url, b"not an image", clients=2, seconds=0.3)
        assert bad["ok"] == 0 and bad["errors"] == bad["requests"] > 0 and set(bad["statuses"]) == {"415"}
    finally:
        server.should_exit = True
        thread.join(10)
