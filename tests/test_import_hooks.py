"""tfds_fer2013.import_hooks: a callback right after a module's first import, the module left intact."""

import os
import subprocess
import sys

import pytest


def run(code, **env):
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, **env))
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


@pytest.mark.slow(seconds=8)
def test_importing_keras_fer_is_cheap_and_registers_the_builder_and_classes_when_tfds_and_keras_arrive(tmp_path):
    # One fresh process: keras_fer imported first, then TFDS (which brings TensorFlow and Keras), then a
    # FerCNN saved here loads as a FerCNN without keras_fer.models ever being imported by the caller.
    import keras_fer

    keras_fer.FerCNN(rescale=1 / 255).save(tmp_path / "m.keras")
    code = f"""
import sys, keras_fer
print("keras" in sys.modules, "tensorflow" in sys.modules)
import tensorflow_datasets as tfds
print(tfds.builder("fer2013").info.version)
import keras
print(type(keras.saving.load_model({str(tmp_path / 'm.keras')!r})).__name__, "keras_fer.models" in sys.modules)
"""
    assert run(code, TFDS_DATA_DIR=str(tmp_path / "tfds")) == ["False", "False", "1.0.0", "FerCNN", "True"]
