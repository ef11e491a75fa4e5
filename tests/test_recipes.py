"""keras_fer.recipes: schedules and ramps behave, and never change the architecture."""

import dataclasses
import subprocess
import sys

import numpy as np
import pytest

import keras
from keras_fer import FerCNN, FerDNN
from keras_fer.recipes import FAST, SEED, AugmentRamp, DropoutRamp, WarmupCosine, get_recipe, make_optimizer


def test_seed_recipe_is_the_reports():
    assert (SEED.optimizer, SEED.learning_rate, SEED.batch_size, SEED.schedule) == ("adam", 1e-3, 128, "constant")
    assert SEED.label_smoothing == 0 and SEED.dropout_start is None
    with pytest.raises(ValueError, match="recipe='x'"):
        get_recipe("x")


def test_warmup_cosine_shape():
    s = WarmupCosine(1e-3, 10, 110)
    values = [float(s(i)) for i in (0, 9, 10, 60, 110, 200)]
    assert values[0] < values[1] <= values[2] and abs(values[2] - 1e-3) < 1e-9
    assert abs(values[3] - 5e-4) < 1e-6 and values[4] == pytest.approx(0, abs=1e-9) and values[5] == pytest.approx(0, abs=1e-9)


def test_ramp_ends_at_the_models_own_rates():
    assert SEED.ramp(0.25, 8, 0) == 0.25 and SEED.ramp(0.25, 8, 4) == pytest.approx(0.625) and SEED.ramp(0.25, 8, 8) == 1.0
    assert SEED.ramp(None, 8, 0) == 1.0
    model = FerCNN()
    model.compile(make_optimizer("adamw", 1e-3), "sparse_categorical_crossentropy")
    short = dataclasses.replace(FAST, dropout_ramp_epochs=3)  # FAST's own ramp is 30 epochs long
    ramp = DropoutRamp(short)
    x, y = np.zeros((4, 48, 48, 1), "float32"), np.arange(4)
    rates = []
    record = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: rates.append(model.get_layer("block1_dropout").rate))
    model.fit(x, y, epochs=short.dropout_ramp_epochs + 1, verbose=0, callbacks=[ramp, record])
    assert rates[0] == pytest.approx(0.4 * FAST.dropout_start)
    assert rates[-1] == pytest.approx(0.4) and model.get_layer("dense_dropout").rate == pytest.approx(0.5)
    assert model.count_params() == 3_258_379


def test_augment_ramp_sets_the_models_own_augmentation_layer():
    # the JAX / torch path: no tf.data variable, the augmentation runs inside the model
    model = FerCNN(augmentation=True)
    model.compile(make_optimizer("adam", 1e-3), "sparse_categorical_crossentropy")
    layer = model.get_layer("augmentation")
    strengths = []
    after = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: strengths.append(layer.strength))
    x, y = np.zeros((4, 48, 48, 1), "float32"), np.arange(4)
    model.fit(x, y, epochs=3, verbose=0, callbacks=[AugmentRamp(FAST), after])
    step = 1.0 / FAST.augment_ramp_epochs
    assert strengths == pytest.approx([FAST.augment_start, FAST.augment_start + step, FAST.augment_start + 2 * step])


def test_a_fast_recipe_run_saves_a_model_that_loads(tmp_path):
    from keras_fer.training import TrainConfig, train
    from tfds_fer2013.testing import write_fer2013_csv

    write_fer2013_csv(tmp_path / "fer", n_train=28, n_public=14)
    summary = train(TrainConfig(model="dnn", data=str(tmp_path / "fer"), epochs=2, recipe="fast"), tmp_path / "run", verbose=0)
    assert summary["epochs"] == 2
    # A fresh process that imports only keras_fer: the optimizer's schedule must deserialize too.
    code = ("import keras, keras_fer; m = keras.saving.load_model(%r); "
            "print(type(m.optimizer._learning_rate).__name__, m.count_params())" % str(tmp_path / "run" / "best.keras"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-2:] == ["WarmupCosine", str(FerDNN().count_params())]


def test_fast_recipe_fields():
    fast = get_recipe("fast")
    assert fast.zero_init_head and fast.precise_bn_images > 0 and fast.schedule == "warmup_cosine"
    assert get_recipe("seed").precise_bn_images == 0 and not get_recipe("seed").zero_init_head
