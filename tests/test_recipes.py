"""keras_fer.recipes: schedules and ramps behave, and never change the architecture."""

import subprocess
import sys

import pytest

from keras_fer import FerDNN
from keras_fer.recipes import SEED, Recipe, get_recipe, learning_rate_schedule, make_optimizer


def test_seed_recipe_is_the_reports():
    assert (SEED.optimizer, SEED.learning_rate, SEED.batch_size, SEED.schedule) == ("adam", 1e-3, 128, "constant")
    assert SEED.label_smoothing == 0 and SEED.dropout_start is None
    with pytest.raises(ValueError, match="recipe='x'"):
        get_recipe("x")


def test_accurate_is_robust_with_the_course_reports_augmentation():
    import dataclasses

    robust, accurate = get_recipe("robust"), get_recipe("accurate")
    assert accurate.augmentation is None and robust.augmentation  # None: FerAugmentation's defaults, the report's
    assert dataclasses.replace(accurate, name="robust", augmentation=robust.augmentation) == robust


def test_warmup_cosine_shape():
    recipe = Recipe("r", schedule="warmup_cosine", warmup_epochs=1)
    s = learning_rate_schedule(recipe, 1e-3, steps_per_epoch=10, epochs=11)  # warm-up 10 steps, 110 in all
    values = [float(s(i)) for i in (0, 9, 10, 60, 110, 200)]
    assert values[0] < values[1] <= values[2] and abs(values[2] - 1e-3) < 1e-9
    assert abs(values[3] - 5e-4) < 1e-6 and values[4] == pytest.approx(0, abs=1e-9) and values[5] == pytest.approx(0, abs=1e-9)
    assert learning_rate_schedule(SEED, 1e-3, 10, 11) == 1e-3


def test_an_unknown_schedule_is_an_error_and_zero_weight_decay_is_zero():
    with pytest.raises(ValueError, match="schedule='step'"):
        learning_rate_schedule(Recipe("r", schedule="step"), 1e-3, 10, 10)
    assert make_optimizer("adamw", 1e-3, 0.0).weight_decay == 0.0
    assert make_optimizer("adamw", 1e-3, 5e-4).weight_decay == pytest.approx(5e-4)
    with pytest.raises(ValueError, match="optimizer='lamb'"):
        make_optimizer("lamb", 1e-3)


@pytest.mark.slow(seconds=10)
def test_a_fast_recipe_run_saves_a_model_that_loads(tmp_path):
    from keras_fer.training import TrainConfig, train
    from tfds_fer2013.testing import write_fer2013_csv

    write_fer2013_csv(tmp_path / "fer", n_train=28, n_public=14)
    summary = train(TrainConfig(model="dnn", data=str(tmp_path / "fer"), epochs=2, recipe="fast"), tmp_path / "run", verbose=0)
    assert summary["epochs"] == 2
    # A fresh process that never imports keras_fer loads the best model (Keras' own classes only).
    code = ("import sys, keras; m = keras.saving.load_model(%r); "
            "print('keras_fer' in sys.modules, m.count_params())" % str(tmp_path / "run" / "best.keras"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-2:] == ["False", str(FerDNN().count_params())]


def test_fast_recipe_fields():
    fast = get_recipe("fast")
    assert fast.zero_init_head and fast.precise_bn_images > 0 and fast.schedule == "warmup_cosine"
    assert get_recipe("seed").precise_bn_images == 0 and not get_recipe("seed").zero_init_head


def test_sgd_takes_the_weight_decay_and_ema_is_the_optimizers():
    sgd = make_optimizer("sgd", 0.05, 5e-4, ema=0.99)
    assert sgd.nesterov and sgd.weight_decay == pytest.approx(5e-4)
    assert sgd.use_ema and sgd.ema_momentum == pytest.approx(0.99)
    assert not make_optimizer("adamw", 1e-3).use_ema


@pytest.mark.slow(seconds=8)
def test_ema_weights_are_what_validation_and_the_checkpoint_see(tmp_path):
    import dataclasses

    import keras
    import numpy as np
    import pandas as pd

    from keras_fer.recipes import FAST
    from keras_fer.training import TrainConfig, train
    from tfds_fer2013.testing import write_fer2013_csv

    write_fer2013_csv(tmp_path / "fer", n_train=96, n_public=16)
    config = dict(model="dnn", param_budget=30000, data=str(tmp_path / "fer"), epochs=3, batch_size=16,
                  precision="float32", recipe="fast")
    # a momentum this close to 1 keeps the average at the weights after the first step; no ramps (each
    # would retrace the train step every epoch, and they are not what this tests)
    frozen = dataclasses.replace(FAST, ema=0.999999, learning_rate=3e-3, dropout_start=None, augment_start=None)
    train(TrainConfig(**config), tmp_path / "ema", verbose=0, recipe=frozen)
    train(TrainConfig(**config), tmp_path / "raw", verbose=0, recipe=dataclasses.replace(frozen, ema=0.0))
    ema, raw = pd.read_csv(tmp_path / "ema" / "history.csv"), pd.read_csv(tmp_path / "raw" / "history.csv")
    assert np.ptp(ema["val_loss"]) < 1e-3 < np.ptp(raw["val_loss"])
    assert not np.allclose(ema["loss"], ema["loss"].iloc[0])  # training itself went on with the raw weights
    x = np.random.default_rng(0).uniform(0, 255, (8, 48, 48, 1)).astype("float32")
    best = keras.saving.load_model(tmp_path / "ema" / "best.keras", compile=False)
    first = keras.saving.load_model(tmp_path / "raw" / "best.keras", compile=False)
    assert not np.allclose(best.predict(x, verbose=0), first.predict(x, verbose=0), atol=1e-4)
