"""`PreciseBatchNorm`: recompute BatchNormalization statistics before each validation.

Keras' `BatchNormalization` keeps an exponential moving average (momentum 0.99) of the batch
statistics it saw in training. Early in training that average lags far behind the weights (it
still holds its initial mean 0 / variance 1 for the first hundreds of steps), and in a network with
Dropout *before* BatchNormalization -- FerCNN -- it is also measured on dropped-out
activations, whose variance differs from what the layer sees at inference. Both make
validation accuracy swing from epoch to epoch. "Precise BN" (Wu & Johnson, *Rethinking "Batch"
in BatchNorm*, 2021) replaces the moving averages by the population statistics of a few
thousand training images, computed in inference mode, one layer after another.

Only the `moving_mean` / `moving_variance` variables change; the model's layers and weights
do not.

Example:
    >>> import numpy as np, keras
    >>> from keras_fer.callbacks import recalibrate_batch_norm
    >>> inputs = keras.Input((4,))
    >>> model = keras.Model(inputs, keras.layers.BatchNormalization()(inputs))
    >>> x = np.random.default_rng(0).normal(3.0, 2.0, (512, 4)).astype("float32")
    >>> recalibrate_batch_norm(model, x)
    1
    >>> bool(np.allclose(model.layers[1].moving_mean.numpy(), x.mean(0), atol=1e-4))
    True
"""

from __future__ import annotations

from keras_fer.errors import ConfigError

import numpy as np
import keras


def _batches(data, batch_size):
    """Yield input batches (numpy or tensors) from an array or an iterable of `x` / `(x, y)` batches."""
    if isinstance(data, np.ndarray):
        for start in range(0, len(data), batch_size):
            yield data[start:start + batch_size]
        return
    for batch in data:
        yield batch[0] if isinstance(batch, (tuple, list)) else batch


def recalibrate_batch_norm(model, data, batch_size=256, max_images=None):
    """Set every BatchNormalization layer's moving statistics to those of `data`, in inference mode.

    Layers are done in graph order, so each one is measured on the output of the layers before it
    with their statistics already recalibrated (and Dropout off, as at inference).

    Args:
        model: a functional Keras model (such as `FerCNN` or `FerDNN`).
        data: a numpy array of inputs, or an iterable of `x` or `(x, y)` batches (a `tf.data`
            dataset, a `keras.utils.PyDataset`), as the model takes them.
        batch_size: batch size when `data` is an array.
        max_images: stop after this many images (None: all of `data`).

    Returns:
        The number of BatchNormalization layers recalibrated.
    """
    # A functional model lists its layers in graph order.
    layers = [l for l in model.layers if isinstance(l, keras.layers.BatchNormalization)]
    for layer in layers:
        probe = keras.Model(model.inputs[0] if len(model.inputs) == 1 else model.inputs, layer.input)
        axes = tuple(a for a in range(len(layer.input.shape)) if a != layer.axis % len(layer.input.shape))
        total, total_sq, count, seen = 0.0, 0.0, 0, 0
        for x in _batches(data, batch_size):
            if max_images is not None and seen >= max_images:
                break
            h = keras.ops.convert_to_numpy(probe(x, training=False)).astype(np.float64)
            seen += h.shape[0]
            total = total + h.sum(axis=axes)
            total_sq = total_sq + np.square(h).sum(axis=axes)
            count += int(np.prod([h.shape[a] for a in axes]))
        if count == 0:
            raise ConfigError("recalibrate_batch_norm: `data` gave no images")
        mean = total / count
        variance = np.maximum(total_sq / count - np.square(mean), 0.0)
        layer.moving_mean.assign(mean.astype(layer.moving_mean.dtype))
        layer.moving_variance.assign(variance.astype(layer.moving_variance.dtype))
    return len(layers)


class PreciseBatchNorm(keras.callbacks.Callback):
    """Recalibrates BatchNormalization statistics (`recalibrate_batch_norm`) at the end of each epoch.

    Inside `fit` it runs when validation begins (so `val_*` metrics and a checkpoint saved at the
    epoch's end both see the recalibrated statistics), or at the epoch's end when there is no
    validation. Give it clean (un-augmented) training images: the statistics are those the model
    will meet at inference.

    Args:
        data: numpy inputs, or an iterable of `x` / `(x, y)` batches.
        batch_size: batch size when `data` is an array.
        max_images: use at most this many images each time.
        compare: optional validation data (`(x, y)` arrays or `(x, y)` batches). Before each
            recalibration the model's accuracy on it with the moving averages is measured and logged
            as `val_accuracy_moving_stats`: the same run's weights with and without precise BN
            (training never reads the moving statistics, so the weights do not depend on them).

    Example:
        >>> import numpy as np
        >>> cb = PreciseBatchNorm(np.zeros((8, 48, 48, 1), "float32"))
        >>> cb.max_images is None
        True
    """

    def __init__(self, data, batch_size=256, max_images=None, compare=None):
        super().__init__()
        self.data = data
        self.batch_size = batch_size
        self.max_images = max_images
        self.compare = compare
        self._in_fit = False
        self._done_this_epoch = False
        self._moving_stats_accuracy = None

    def _recalibrate(self):
        if self.compare is not None:
            from keras_fer.evaluate import predict_labels

            y_true, y_pred, _ = predict_labels(self.model, self.compare, self.batch_size)
            self._moving_stats_accuracy = float(np.mean(y_true == y_pred))
        recalibrate_batch_norm(self.model, self.data, self.batch_size, self.max_images)
        self._done_this_epoch = True

    def on_train_begin(self, logs=None):
        self._in_fit = True

    def on_train_end(self, logs=None):
        self._in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        self._done_this_epoch = False

    def on_test_begin(self, logs=None):
        if self._in_fit and not self._done_this_epoch:
            self._recalibrate()

    def on_epoch_end(self, epoch, logs=None):
        if not self._done_this_epoch:
            self._recalibrate()
        if self._moving_stats_accuracy is not None and logs is not None:
            logs["val_accuracy_moving_stats"] = self._moving_stats_accuracy
