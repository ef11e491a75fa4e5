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
