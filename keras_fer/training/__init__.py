"""Training: one resumable run into a run folder (what `keras-fer train` does).

The run folder holds `config.json`, `history.csv`, `best.keras` (+ `best.json`), `curves.png`,
`confusion_matrix.csv/.png`, `per_class.csv` and `summary.json`; each file is written atomically.
Killed at any moment and started again with the same configuration, a run continues from its last
finished epoch, as if it had never stopped.

Modules, in the order a run uses them: `config` (`TrainConfig`, the `keras-fer train` flags generated
from it, `Plan`: the configuration resolved against its recipe), `inputs` (tf.data or arrays per
backend), `model` (build and compile), `wiring` (the callbacks, in order), `run` (`train`), `summary`
(public_test once, files).

Example:
    >>> from keras_fer.training import TrainConfig, train
    >>> cfg = TrainConfig(model="cnn", data="../shared/fer2013", epochs=1, limit=256)  # doctest: +SKIP
    >>> summary = train(cfg, "runs/smoke")                                              # doctest: +SKIP
"""

from keras_fer.errors import ConfigError  # noqa: F401
from keras_fer.rundir import RunDirError  # noqa: F401  (raised by train)
from keras_fer.training.config import (MODELS, VAL_SPLITS, Plan, TrainConfig, add_arguments,  # noqa: F401
                                       settings_defaults)
from keras_fer.training.model import build_model  # noqa: F401
from keras_fer.training.run import train  # noqa: F401
