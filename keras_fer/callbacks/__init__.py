"""Callbacks: atomic best-model saving, confusion-matrix logging, resumable training state, the
per-epoch history CSV, a recipe's regularisation ramps, precise BatchNormalization statistics, weight averaging.

Example:
    >>> from keras_fer.callbacks import BestModelCheckpoint, ConfusionMatrixLogger
"""

from keras_fer.callbacks.checkpoint import BestModelCheckpoint  # noqa: F401
from keras_fer.callbacks.confusion import (  # noqa: F401
    ConfusionMatrixLogger,
    predict_labels,
    write_confusion_files,
)
from keras_fer.callbacks.precise_bn import PreciseBatchNorm, recalibrate_batch_norm  # noqa: F401
from keras_fer.callbacks.resume import AtomicBackupAndRestore  # noqa: F401
from keras_fer.callbacks.history import HistoryCSV  # noqa: F401
from keras_fer.callbacks.ramps import AugmentRamp, DropoutRamp  # noqa: F401
from keras_fer.callbacks.ema import SwapEMAWeights  # noqa: F401
