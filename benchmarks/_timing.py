"""Shared timing helper of the benchmarks: images/s of Keras `fit` over whole epochs."""

import time

import keras


class EpochTimer(keras.callbacks.Callback):
    """Wall time of each epoch (training only: no validation is passed to these fits)."""

    def __init__(self):
        super().__init__()
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._t0)


def fit_rate(model, data, n_images, epochs=3, **fit_kwargs):
    """Images/s of `model.fit(data)`: the best of epochs 2..N (epoch 1 includes tracing)."""
    timer = EpochTimer()
    model.fit(data, epochs=epochs, verbose=0, callbacks=[timer], **fit_kwargs)
    return n_images / min(timer.seconds[1:])
