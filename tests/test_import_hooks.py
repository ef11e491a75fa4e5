"""tfds_fer2013.import_hooks: a callback right after a module's first import, the module left intact."""

import subprocess
import sys

import pytest


def run(code):
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.split()


def test_callback_runs_after_the_first_import_once_and_resources_still_work():
    code = """
import sys
from tfds_fer2013.import_hooks import run_after_import
seen = []
assert "email" not in sys.modules
run_after_import("email", lambda: seen.append(sys.modules["email"].__name__))
print(len(seen))
import email, email.mime, importlib.resources
import email
print(len(seen), seen[0], importlib.resources.files("email").joinpath("mime").is_dir(), type(email.__loader__).__name__)
"""
    assert run(code) == ["0", "1", "email", "True", "SourceFileLoader"]


@pytest.mark.slow(seconds=11)
def test_keras_fer_registers_its_classes_when_keras_arrives(tmp_path):
    code = f"""
import sys, keras_fer
print("keras" in sys.modules)
import keras
keras_fer.FerCNN(rescale=1 / 255).save({str(tmp_path / 'm.keras')!r})
"""
    assert run(code) == ["False"]
    load = f"import keras_fer, keras; print(type(keras.saving.load_model({str(tmp_path / 'm.keras')!r})).__name__)"
    assert run(load)[-1] == "FerCNN"
