"""Models, layers and callbacks on the JAX backend, in a subprocess with TensorFlow made unimportable."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("jax")

from no_tensorflow import BLOCK_TENSORFLOW as NO_TF


def run_jax(code: str, tmp_path, timeout=600):
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu")
    out = subprocess.run([sys.executable, "-c", NO_TF + textwrap.dedent(code)], capture_output=True,
                         text=True, timeout=timeout, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow(seconds=27)
def test_models_build_train_save_and_load_and_keras_fer_train_runs_under_jax(tmp_path):
    # One process for both (a JAX process costs ~4 s to start): the models, then `keras-fer train`.
    from tfds_fer2013.testing import write_fer2013_csv

    write_fer2013_csv(tmp_path / "fer", n_train=70, n_public=21)
    got = run_jax("""
        import json, numpy as np, keras, keras_fer
        from keras_fer import FerCNN, FerDNN
        from keras_fer.callbacks import BestModelCheckpoint
        from keras_fer.cli import main
        assert keras.backend.backend() == "jax"
        x = np.random.default_rng(0).uniform(0, 255, (16, 48, 48, 1)).astype("float32")
        y = np.arange(16) % 7
        out = {}
        for name, model in [("cnn", FerCNN(rescale=1/255, augmentation=True)),
                            ("dnn", FerDNN(param_budget=FerCNN().count_params()))]:
            model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=1, batch_size=8, verbose=0, validation_data=(x, y),
                      callbacks=[BestModelCheckpoint(f"{name}.keras")])
            loaded = keras.saving.load_model(f"{name}.keras")
            same = bool(np.allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6))
            out[name] = [model.count_params(), same]
        # the fast recipe: its augmentation ramp sets the in-model layer's strength between epochs
        # (the DNN: the CNN under JAX is above)
        status = main(["train", "--model", "dnn", "--data", "fer", "--epochs", "2", "--limit", "64",
                       "--recipe", "fast", "--out", "run"])
        summary = json.load(open("run/summary.json"))
        out["train"] = [status, summary["backend"], summary["input_pipeline"], summary["epochs"]]
        import importlib.util, sys
        out["tensorflow"] = [importlib.util.find_spec("tensorflow") is None, "tensorflow" in sys.modules]
        print(json.dumps(out))
    """, tmp_path)
    assert got == {"cnn": [3_258_379, True], "dnn": [3_258_379, True], "train": [0, "jax", "arrays", 2],
                   "tensorflow": [True, False]}
