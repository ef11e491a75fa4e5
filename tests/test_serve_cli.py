"""`keras-fer serve`'s command line: loopback by default, a warning otherwise, a clear line without the extra."""

import sys

import pytest

pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")

from keras_fer import cli  # noqa: E402
from keras_fer.serve import server  # noqa: E402


class FakeDetector:
    detector_name, model = "fake", None

    def classify(self, crops):  # never called: nothing is served
        raise AssertionError


def test_loopback_by_default_and_a_warning_for_other_hosts(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    server.serve(detector=FakeDetector())
    assert calls[-1]["host"] == "127.0.0.1" and calls[-1]["port"] == 8000
    assert "other machines" not in capsys.readouterr().err
    server.serve(host="0.0.0.0", port=8765, detector=FakeDetector())
    err = capsys.readouterr().err
    assert calls[-1]["host"] == "0.0.0.0" and "other machines" in err and "http://0.0.0.0:8765/" in err
    server.serve(host="::1", port=8765, detector=FakeDetector())
    assert "http://[::1]:8765/" in capsys.readouterr().err


def test_the_cli_passes_its_limits_and_says_what_is_missing(monkeypatch, capsys):
    seen = {}
    monkeypatch.setattr(server, "serve", lambda host, port, detector, **limits: seen.update(host=host, port=port,
                                                                                          **limits))
    monkeypatch.setattr("keras_fer.serve.serve", server.serve)
    assert cli.main(["serve", "--port", "9001", "--max-upload-mb", "2", "--batch-window-ms", "10",
                     "--max-batch", "8", "--no-tta"]) == 0
    assert seen == {"host": "127.0.0.1", "port": 9001, "max_upload_bytes": 2 * 2**20, "max_batch": 8,
                    "window": 0.01, "max_waiting": 64}
    assert cli.main(["serve", "--max-upload-mb", "0"]) == 2
    assert "--max-upload-mb must be > 0" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "fastapi", None)
    assert cli.main(["serve"]) == 2
    assert "pip install 'keras-fer[serve]'" in capsys.readouterr().err
