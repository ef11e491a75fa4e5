"""keras_fer.distribute / `--devices`: data-parallel training on 2 virtual CPU devices, TensorFlow and JAX.

Each backend runs in a subprocess (virtual devices must be set up before the backend starts): one SGD
step on 2 devices matches 1 device within 1e-5 (the precise check of data parallelism); a run interrupted
on 1 device resumes on 2 and completes there (its last epoch, checkpoint and public_test evaluation on 2).
JAX runs with TensorFlow made unimportable, as on the GPU machine.
"""

import json
import os
import subprocess
import sys

import pytest

from no_tensorflow import BLOCK_TENSORFLOW
from tfds_fer2013.testing import write_fer2013_csv

SETUP = {
    "tensorflow": """
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
""",
    "jax": BLOCK_TENSORFLOW,  # as on the GPU machine: the JAX path needs no TensorFlow
}

SCRIPT = """
import json, sys
import numpy as np
import keras
from keras_fer.distribute import count_devices, data_parallel
from keras_fer.training import TrainConfig, train
import keras_fer.callbacks.resume as resume

data, out = sys.argv[1], sys.argv[2]
assert count_devices("all") == 2, count_devices("all")

def one_step(devices):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 8)).astype("float32"), rng.integers(0, 3, 32)
    with data_parallel(devices):
        inputs = keras.Input((8,))
        hidden = keras.layers.Dense(16, activation="relu")(inputs)
        model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(hidden))
        model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
        model.fit(x, y, batch_size=32, epochs=1, verbose=0, shuffle=False)
        return [keras.ops.convert_to_numpy(w) for w in model.weights]

diff = max(float(np.max(np.abs(a - b))) for a, b in zip(one_step(None), one_step(2)))
cfg = dict(model="dnn", param_budget=30000, data=data, epochs=2, batch_size=32, seed=1)  # small: XLA compiles fast

# interrupted after epoch 1 on 1 device, resumed and finished on 2
save = resume.AtomicBackupAndRestore.on_epoch_end
def stop_after_first(self, epoch, logs=None):
    save(self, epoch, logs)
    raise KeyboardInterrupt
resume.AtomicBackupAndRestore.on_epoch_end = stop_after_first
try:
    train(TrainConfig(**cfg), out + "/moved", verbose=0)
except KeyboardInterrupt:
    pass
resume.AtomicBackupAndRestore.on_epoch_end = save
moved = train(TrainConfig(devices=2, **cfg), out + "/moved", verbose=0)
print("RESULT", json.dumps({"diff": diff, "moved": [moved["epochs"], moved["public_test_accuracy_of_best"]]}))
"""


@pytest.mark.slow(seconds=16)
@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_two_virtual_devices(tmp_path, backend):
    if backend == "jax":
        pytest.importorskip("jax")
    write_fer2013_csv(tmp_path / "fer", n_train=128, n_public=32)
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3",
               XLA_FLAGS=os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=2",
               KERAS_FER_CACHE=str(tmp_path / "cache"))
    code = SETUP[backend] + SCRIPT
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "fer"), str(tmp_path)], env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.split("RESULT ")[1])
    assert result["diff"] <= 1e-5
    assert result["moved"][0] == 2 and 0.0 <= result["moved"][1] <= 1.0
    history = (tmp_path / "moved" / "history.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in history[1:]] == ["1", "2"]  # one history across the restart
    config = json.loads((tmp_path / "moved" / "config.json").read_text())
    assert config["devices"] == 2 and "devices" not in config["settings"]
