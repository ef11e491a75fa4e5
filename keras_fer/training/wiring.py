"""The run's callbacks, in the order they must run: what each epoch writes, and the backup last.

Example:
    >>> # callbacks, backup, history = wire_callbacks(plan, inputs, fit_data)   (see `keras_fer.training.run`)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from keras_fer.training.config import Plan
    from keras_fer.training.inputs import Inputs


def wire_callbacks(plan: Plan, data: Inputs, fit_data=None, resumed: bool = False):
    """The run's callbacks in the order they must run, and the backup and history among them."""
    import keras

    from keras_fer.callbacks import (AtomicBackupAndRestore, AugmentRamp, BestModelCheckpoint, DropoutRamp,
                                     HistoryCSV, PreciseBatchNorm, SwapEMAWeights)

    recipe, out = plan.recipe, plan.out
    backup = AtomicBackupAndRestore(out / "backup", state=lambda: {"history": history.rows})
    history = HistoryCSV(out / "history.csv", data.n_train, backup)
    # The backup goes last: whatever it records as finished is already in history.csv and best.keras.
    callbacks = [history, BestModelCheckpoint(out / "best.keras"), backup]
    if recipe.ema:  # validation, the checkpoint and the backup see the averaged weights
        callbacks.insert(0, SwapEMAWeights(resumed))
    if recipe.dropout_start is not None:
        callbacks.insert(0, DropoutRamp(recipe))
    if plan.config.augment and recipe.augment_start is not None and not data.use_tf:  # the model's layer
        callbacks.insert(0, AugmentRamp(recipe))  # (tf.data computes the ramp from each batch's epoch)
    if data.clean_train is not None:  # first: validation and the checkpoint see the new statistics
        callbacks.insert(0, PreciseBatchNorm(data.clean_train, compare=data.val_data))
    callbacks += list(plan.callbacks)  # the caller's, last: an epoch they see is already recorded
    if hasattr(fit_data, "epoch"):  # the arrays path: each epoch's order is keyed by its number
        callbacks.insert(0, keras.callbacks.LambdaCallback(on_epoch_begin=lambda e, logs: setattr(fit_data, "epoch", e)))
    return callbacks, backup, history
