"""`SwapEMAWeights`: Keras' callback of the same name, for a run that resumes from a backup.

Example:
    >>> callback = SwapEMAWeights(resumed=False)
"""

from __future__ import annotations

import keras


class SwapEMAWeights(keras.callbacks.SwapEMAWeights):
    """Validation, the checkpoint and the backup see the optimizer's moving average of the weights
    (`use_ema=True`); training goes on with the raw weights.

    Keras' `SwapEMAWeights(swap_on_epoch=True)` swaps the average in at each epoch's end and back at the
    next epoch's start, so a backup written at an epoch's end holds the average in the model and the raw
    weights in the optimizer. A run restored from such a backup must swap back before its first epoch:
    `resumed=True` says so (Keras' callback, starting fresh, would train on from the average).

    Put it before the checkpoint and the backup.

    Args:
        resumed: the run restarts from a backup that an instance of this callback wrote.
    """

    def __init__(self, resumed: bool = False):
        super().__init__(swap_on_epoch=True)
        self.resumed = bool(resumed)

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self._ema_weights_in_model = self.resumed
