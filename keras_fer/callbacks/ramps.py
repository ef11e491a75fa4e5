"""`DropoutRamp` and `AugmentRamp`: a recipe's regularisation ramps, set at the start of each epoch."""

from __future__ import annotations

import keras


def all_layers(model):
    """Every layer of `model`, nested models' layers included (public API only)."""
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):
            yield from all_layers(layer)


class DropoutRamp(keras.callbacks.Callback):
    """Scales every `Dropout` layer's rate by the recipe's ramp at the start of each epoch.

    The rates end at the model's own values, so the trained model is the same architecture; the
    train function is re-traced when the rates change (Dropout rates are compile-time constants).
    """

    def __init__(self, recipe):
        super().__init__()
        self.recipe = recipe
        self._base = None

    def on_epoch_begin(self, epoch, logs=None):
        if self._base is None:
            self._base = {id(l): l.rate for l in all_layers(self.model) if isinstance(l, keras.layers.Dropout)}
        scale = self.recipe.ramp(self.recipe.dropout_start, self.recipe.dropout_ramp_epochs, epoch)
        _set_and_retrace(self.model, keras.layers.Dropout, "rate", lambda layer: self._base[id(layer)] * scale)


class AugmentRamp(keras.callbacks.Callback):
    """Sets the augmentation strength of the recipe's ramp at each epoch's start.

    With `strength` (a `tf.Variable` read by the tf.data pipeline) it assigns that; without, it sets
    the `strength` of every `FerAugmentation` layer inside the model (the JAX / torch path, where
    augmentation runs in the model) and re-traces the train function when it changes.
    """

    def __init__(self, recipe, strength=None):
        super().__init__()
        self.recipe = recipe
        self.strength = strength

    def on_epoch_begin(self, epoch, logs=None):
        value = self.recipe.ramp(self.recipe.augment_start, self.recipe.augment_ramp_epochs, epoch)
        if self.strength is not None:
            self.strength.assign(value)
            return
        from keras_fer.layers.augmentation import FerAugmentation

        _set_and_retrace(self.model, FerAugmentation, "strength", lambda layer: value)


def _set_and_retrace(model, layer_type, attribute, value_of):
    """Sets `attribute` of every `layer_type` layer in `model` to `value_of(layer)`; when any value
    changed, re-traces the train function (these attributes are compile-time constants)."""
    changed = False
    for layer in all_layers(model):
        if isinstance(layer, layer_type) and getattr(layer, attribute) != value_of(layer):
            setattr(layer, attribute, value_of(layer))
            changed = True
    if changed:
        model.make_train_function(force=True)
