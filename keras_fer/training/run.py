"""`train`: one resumable training run into a run folder (what `keras-fer train` does).

Example:
    >>> from keras_fer.training import TrainConfig, train
    >>> cfg = TrainConfig(model="cnn", data="../shared/fer2013", epochs=1, limit=256)  # doctest: +SKIP
    >>> summary = train(cfg, "runs/smoke")                                              # doctest: +SKIP
"""

from __future__ import annotations

import json
import sys
import time
from typing import Sequence, Union

from keras_fer import rundir
from keras_fer.io import write_json
from keras_fer.sharpness import blur_warning
from keras_fer.training.config import Plan, TrainConfig, settings_defaults
from keras_fer.training.inputs import Inputs, first_images, prepare_inputs
from keras_fer.training.model import build_model, compile_model
from keras_fer.training.summary import summarise, versions
from keras_fer.training.wiring import wire_callbacks


def train(config: TrainConfig, out, overwrite: bool = False, verbose: Union[str, int] = "auto",
          recipe=None, callbacks: Sequence = ()) -> dict:
    """Trains one model into the run folder `out` (resuming a run interrupted there).

    Args:
        config: the run's settings.
        out: the run folder.
        overwrite: replace a run folder that holds another configuration.
        verbose: Keras' verbosity; "auto" shows a progress bar on a terminal and one line per
            epoch otherwise.
        recipe: a `keras_fer.recipes.Recipe` to use instead of the one `config.recipe` names
            (for experiments; its fields are recorded in config.json).
        callbacks: more Keras callbacks, run after the run's own (an epoch they see is already in
            history.csv, best.keras and the backup).

    Returns:
        The run's summary (what `summary.json` holds).

    Raises:
        ConfigError: a bad setting (before anything is read or written).
        RunDirError: `out` holds another configuration (and `overwrite` is False), or data other
            than the run started on, or another training is writing there.
        FerDataError / FerLayoutError: bad or missing data (raised before anything is written).
    """
    from keras_fer.precision import set_precision

    plan = Plan.resolve(config, out, recipe, verbose, callbacks)
    settings, defaults = plan.settings(), settings_defaults()
    if rundir.check(plan.out, settings, overwrite, defaults) == "finished":
        print(f"{plan.out}: already finished ({config.epochs} epoch{'s' if config.epochs != 1 else ''}); "
              "nothing to do.")
        return json.loads((plan.out / "summary.json").read_text())

    import keras

    keras.utils.set_random_seed(config.seed)  # before anything random is built: two calls give one run
    inputs = prepare_inputs(config, plan.recipe, plan.manual_dir, plan.batch_size)  # checked before any write
    warning = blur_warning(*first_images(inputs))
    if warning:
        print(f"keras-fer: warning: {warning}", file=sys.stderr)
    with rundir.lock(plan.out):
        if rundir.check(plan.out, settings, overwrite, defaults) == "replace":  # again, now that we hold the lock
            rundir.clear(plan.out)
        write_json(plan.out / "config.json", {"settings": settings, "versions": versions(), "devices": config.devices})
        previous_policy = keras.mixed_precision.global_policy()
        policy = set_precision(config.precision)
        try:
            return fit_and_summarise(plan, inputs, policy)
        finally:  # the global dtype policy is the caller's again
            keras.mixed_precision.set_global_policy(previous_policy)


def fit_and_summarise(plan: Plan, data: Inputs, policy) -> dict:
    """Builds, compiles and fits (from the newest backup, if any) on the run's devices; summarises."""
    from keras_fer.distribute import data_parallel

    verbose = plan.verbose
    if verbose == "auto":
        verbose = 1 if sys.stdout.isatty() else 2
    started = time.perf_counter()
    import keras

    # Again: whatever preparing the data drew (a first preparation draws more than a cached one), the model
    # starts from the same weights and random-number generators.
    keras.utils.set_random_seed(plan.config.seed)
    with data_parallel(plan.config.devices):
        model = build_model(plan.config, data.standardize, augmentation_in_model=not data.use_tf,
                            augmentation=plan.recipe.augmentation)
        compile_model(plan, model, data)
        from keras_fer.callbacks import AtomicBackupAndRestore

        done = AtomicBackupAndRestore(plan.out / "backup").latest_epoch()
        fit_data = data.fit_from(done)  # the epochs still to run, keyed as an uninterrupted run's
        callbacks, _, history = wire_callbacks(plan, data, fit_data, resumed=bool(done))
        config = plan.config
        print(f"keras-fer: training {type(model).__name__} ({model.count_params():,} parameters, {config.recipe} "
              f"recipe) on {data.n_train:,} images for {config.epochs} epochs; best epoch chosen on "
              f"{config.val_split}; run folder {plan.out}", flush=True)
        if done:
            print(f"{plan.out}: resuming after epoch {done} of {plan.config.epochs}")
        model.fit(fit_data, epochs=plan.config.epochs, initial_epoch=done, callbacks=callbacks,
                  verbose=verbose, **data.fit_kwargs)
    return summarise(plan, model, data, history, policy, started)
