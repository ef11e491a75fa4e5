"""keras_fer.callbacks.ramps: dropout and augmentation ramps set per epoch, ending at the model's own rates."""

import dataclasses

import numpy as np
import pytest

import keras
from keras_fer import FerCNN
from keras_fer.callbacks import AugmentRamp, DropoutRamp
from keras_fer.recipes import FAST, SEED, make_optimizer


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
