"""keras_fer.callbacks.precise_bn: BatchNormalization statistics from clean data, in graph order."""

import numpy as np
import keras

from keras_fer.callbacks import PreciseBatchNorm, recalibrate_batch_norm


def small_model():
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.BatchNormalization(name="bn1")(inputs)
    x = keras.layers.Conv2D(3, 3, name="conv")(x)
    x = keras.layers.Dropout(0.5)(x)
    x = keras.layers.BatchNormalization(name="bn2")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(x))


def test_statistics_are_those_of_the_data_in_inference_mode():
    x = np.random.default_rng(0).normal(5.0, 3.0, (300, 8, 8, 1)).astype("float32")
    model = small_model()
    assert recalibrate_batch_norm(model, x, batch_size=64) == 2
    bn1, bn2 = model.get_layer("bn1"), model.get_layer("bn2")
    assert np.allclose(bn1.moving_mean.numpy(), [x.mean()], atol=1e-3)
    assert np.allclose(bn1.moving_variance.numpy(), [x.var()], rtol=1e-3)
    h = keras.Model(model.inputs, bn2.input)(x, training=False).numpy()  # bn1 already recalibrated
    assert np.allclose(bn2.moving_mean.numpy(), h.mean(axis=(0, 1, 2)), atol=1e-3)
    assert np.allclose(bn2.moving_variance.numpy(), h.var(axis=(0, 1, 2)), rtol=1e-3, atol=1e-5)


def test_in_fit_it_runs_before_validation():
    rng = np.random.default_rng(2)
    x = rng.normal(2.0, 1.0, (128, 8, 8, 1)).astype("float32")
    y = rng.integers(0, 2, 128)
    model = small_model()
    model.compile("adam", "sparse_categorical_crossentropy")
    seen = {}

    class Spy(keras.callbacks.Callback):
        def on_test_begin(self, logs=None):
            seen["mean"] = float(self.model.get_layer("bn1").moving_mean.numpy()[0])

    model.fit(x, y, epochs=1, batch_size=32, validation_data=(x, y), verbose=0,
              callbacks=[PreciseBatchNorm(x[:64]), Spy()])
    assert abs(seen["mean"] - x[:64].mean()) < 1e-3  # the moving average alone would still be near 0


def test_compare_logs_the_accuracy_with_the_moving_averages_before_recalibrating():
    rng = np.random.default_rng(3)
    x = rng.normal(2.0, 1.0, (96, 8, 8, 1)).astype("float32")
    y = rng.integers(0, 2, 96)
    model = small_model()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    seen = {}

    class Before(keras.callbacks.Callback):  # runs first: the model as it is before recalibration
        def on_test_begin(self, logs=None):
            pred = self.model.predict(x, verbose=0).argmax(axis=1)
            seen["accuracy"] = float(np.mean(pred == y))

    history = model.fit(x, y, epochs=1, batch_size=32, validation_data=(x, y), verbose=0,
                        callbacks=[Before(), PreciseBatchNorm(x, compare=(x, y))])
    assert history.history["val_accuracy_moving_stats"] == [seen["accuracy"]]
