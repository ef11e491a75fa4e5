"""`train`: one resumable training run into a run folder (what `keras-fer train` does).

The run folder holds `config.json`, `history.csv`, `best.keras` (+ `best.json`), `curves.png`,
`confusion_matrix.csv/.png`, `per_class.csv` and `summary.json`; each file is written atomically.
Killed at any moment and started again with the same configuration, a run continues from its
last finished epoch.

Example:
    >>> from keras_fer.training import TrainConfig, train
    >>> cfg = TrainConfig(model="cnn", data="../shared/fer2013", epochs=1, limit=256)  # doctest: +SKIP
    >>> summary = train(cfg, "runs/smoke")                                              # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
import sys
import time
from typing import Optional, Union

import numpy as np

from keras_fer import rundir
from keras_fer.io import atomic_path, write_json
from keras_fer.rundir import RunDirError  # noqa: F401  (raised by train)
from keras_fer.sharpness import blur_warning

MODELS = ("cnn", "dnn", "vgg")
#: Where checkpoints are selected: a split carved out of train (honest), or public_test (the course
#: report's protocol, which selects on the test split; kept only to reproduce its table).
VAL_SPLITS = ("validation", "public_test")


@dataclasses.dataclass
class TrainConfig:
    """Every setting of a training run (`keras-fer train` flags, one for one).

    `batch_size`, `optimizer` and `learning_rate` left as None take the recipe's values.
    """

    model: str = "cnn"
    param_budget: Union[int, str, None] = None
    data: Optional[str] = None
    epochs: int = 100
    batch_size: Optional[int] = None
    normalize: str = "rescale"
    augment: bool = True
    optimizer: Optional[str] = None
    learning_rate: Optional[float] = None
    seed: int = 0
    limit: Optional[int] = None
    val_limit: Optional[int] = None
    precision: str = "auto"
    recipe: str = "seed"
    devices: Union[int, str, None] = None
    val_split: str = "validation"

    def validate(self) -> "TrainConfig":
        from keras_fer.data import NORMALIZE_CHOICES
        from keras_fer.distribute import check_devices
        from keras_fer.precision import PRECISIONS
        from keras_fer.recipes import RECIPES

        if self.model not in MODELS:
            raise ValueError(f"model={self.model!r}: expected one of {MODELS}")
        if self.param_budget is not None:
            if self.model != "dnn":
                raise ValueError("param_budget applies to the dnn model only")
            if self.param_budget != "match-cnn":
                try:
                    self.param_budget = int(self.param_budget)
                except (TypeError, ValueError):
                    raise ValueError(
                        f"param_budget={self.param_budget!r}: expected a positive integer or 'match-cnn'"
                    ) from None
        for name in ("epochs", "batch_size", "limit", "val_limit"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValueError(f"{name}={value!r}: expected a positive integer")
        if self.learning_rate is not None and not (isinstance(self.learning_rate, (int, float))
                                                   and 0 < self.learning_rate <= 10):
            raise ValueError(f"learning_rate={self.learning_rate!r}: expected a number above 0 (and at most 10)")
        if self.model == "dnn" and isinstance(self.param_budget, int):
            from keras_fer.models.budget import solve_widths

            solve_widths(self.param_budget)  # a budget no network fits is refused before anything is written
        if self.normalize not in NORMALIZE_CHOICES:
            raise ValueError(f"normalize={self.normalize!r}: expected one of {NORMALIZE_CHOICES}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision={self.precision!r}: expected one of {PRECISIONS}")
        self.devices = check_devices(self.devices)
        if self.val_split not in VAL_SPLITS:
            raise ValueError(f"val_split={self.val_split!r}: expected one of {VAL_SPLITS}")
        if self.recipe not in RECIPES:
            raise ValueError(f"recipe={self.recipe!r}: expected one of {RECIPES}")
        return self


def _versions() -> dict:
    import keras

    import keras_fer

    out = {"keras": keras.__version__, "keras_fer": keras_fer.__version__, "backend": keras.backend.backend()}
    try:
        import tensorflow as tf

        out["tensorflow"] = tf.__version__
    except ImportError:
        out["tensorflow"] = None
    return out


def _use_tf_data() -> bool:
    import keras

    if keras.backend.backend() != "tensorflow":
        return False
    try:
        import tensorflow_datasets  # noqa: F401  (the tf.data path reads through the builder)
    except ImportError:
        return False
    return True


def _count_params(model) -> dict:
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    non_trainable = int(sum(np.prod(w.shape) for w in model.non_trainable_weights))
    return {"total": trainable + non_trainable, "trainable": trainable, "non_trainable": non_trainable}


def build_model(config: TrainConfig, standardize=None, augmentation_in_model=False, augmentation=None):
    """The model a configuration asks for (scaling, and augmentation where asked, inside it).

    `augmentation`: `FerAugmentation` arguments (a recipe's), or None for the course report's."""
    from keras_fer.models import FerCNN, FerDNN, FerVGG

    head = dict(
        rescale=1 / 255 if config.normalize == "rescale" else None,
        standardize=standardize if config.normalize == "standardize" else None,
        augmentation=(dict(augmentation) if augmentation else True) if (config.augment and augmentation_in_model)
        else None,
    )
    if config.model == "cnn":
        return FerCNN(**head)
    if config.model == "vgg":
        return FerVGG(**head)
    budget = config.param_budget
    if budget == "match-cnn":
        budget = FerCNN().count_params()
    return FerDNN(param_budget=budget, **head)


def train(config: TrainConfig, out, overwrite: bool = False, verbose: Union[str, int] = "auto",
          recipe=None) -> dict:
    """Trains one model into the run folder `out` (resuming a run interrupted there).

    Args:
        config: the run's settings.
        out: the run folder.
        overwrite: replace a run folder that holds another configuration.
        verbose: Keras' verbosity; "auto" shows a progress bar on a terminal and one line per
            epoch otherwise.
        recipe: a `keras_fer.recipes.Recipe` to use instead of the one `config.recipe` names
            (for experiments; its fields are recorded in config.json).

    Returns:
        The run's summary (what `summary.json` holds).

    Raises:
        RunDirError: `out` holds another configuration (and `overwrite` is False), or data other
            than the run started on, or another training is writing there.
        FerDataError / FerLayoutError: bad or missing data (raised before anything is written).
    """
    from keras_fer import data as fer_data
    from keras_fer.precision import set_precision
    from keras_fer.recipes import get_recipe

    config.validate()
    recipe = recipe or get_recipe(config.recipe)
    batch_size = config.batch_size or recipe.batch_size
    optimizer_name = config.optimizer or recipe.optimizer
    learning_rate = config.learning_rate or recipe.learning_rate
    out = pathlib.Path(out)
    manual_dir = pathlib.Path(config.data).expanduser() if config.data else fer_data.default_manual_dir()
    settings = dataclasses.asdict(config)
    settings.pop("devices")  # not a setting of the run: one started on 2 devices resumes on 1
    settings.update(data=str(manual_dir.resolve()), batch_size=batch_size, optimizer=optimizer_name,
                    learning_rate=learning_rate, recipe_fields=dataclasses.asdict(recipe))
    settings["data_fingerprint"] = fer_data.fingerprint(manual_dir)
    if rundir.check(out, settings, overwrite) == "finished":
        print(f"{out}: already finished ({config.epochs} epoch{'s' if config.epochs != 1 else ''}); nothing to do.")
        return json.loads((out / "summary.json").read_text())

    import keras

    keras.utils.set_random_seed(config.seed)  # before anything random is built: two calls give one run
    data = _prepare_data(config, recipe, manual_dir, batch_size)  # validated before anything is written
    warning = blur_warning(*_first_images(data))
    if warning:
        print(f"keras-fer: warning: {warning}", file=sys.stderr)

    with rundir.lock(out):
        if rundir.check(out, settings, overwrite) == "replace":  # again, now that no one else writes there
            rundir.clear(out)
        write_json(out / "config.json", {"settings": settings, "versions": _versions(), "devices": config.devices})
        previous_policy = keras.mixed_precision.global_policy()
        policy = set_precision(config.precision)
        plan = _Plan(config=config, recipe=recipe, out=out, batch_size=batch_size, optimizer=optimizer_name,
                     learning_rate=learning_rate, verbose=verbose)
        try:
            return _fit_and_summarise(plan, data, policy)
        finally:  # the global dtype policy is the caller's again
            keras.mixed_precision.set_global_policy(previous_policy)


@dataclasses.dataclass
class _Data:
    """What `fit` is given, and what the best model is evaluated on."""

    fit_from: object  # `fit_from(epoch)`: what `fit` is given for the epochs after `epoch` (0: all of them)
    fit_kwargs: dict
    val_data: object
    test_data: object  # public_test, evaluated once with the best model
    n_train: int
    standardize: Optional[tuple]
    use_tf: bool
    clean_train: object = None  # un-augmented training images for PreciseBatchNorm, or None
    builder: object = None  # the prepared TFDS builder (tf.data path), which the sharpness guard reads
    train_images: object = None  # the training images (arrays path), which the sharpness guard reads


def _prepare_data(config: TrainConfig, recipe, manual_dir: pathlib.Path, batch_size: int) -> _Data:
    """tf.data pipelines (TensorFlow backend) or numpy arrays (other backends) for `fit`."""
    import keras

    from keras_fer import data as fer_data

    one_hot = recipe.label_smoothing > 0 or recipe.mixup > 0  # soft targets need CategoricalCrossentropy
    # On several devices every batch must split evenly: the last, smaller batch of an epoch is left out
    # (another one each epoch, as the order changes).
    # The validation split is cut to a multiple of the device count (at most count - 1 images fewer).
    from keras_fer.distribute import count_devices

    n_devices = count_devices(config.devices)
    drop_remainder = n_devices > 1

    def val_limit(n_val):
        n = min(n_val, config.val_limit or n_val)
        return n - n % n_devices
    # Selecting on validation fits on the rest of train; the course report's protocol fits on all of it.
    fit_split = "train" if config.val_split == "public_test" else "train_fit"
    if _use_tf_data():
        import tensorflow as tf

        strength = None
        if config.augment and recipe.augment_start is not None:  # the recipe's ramp, computed per epoch in tf.data
            start, ramp = float(recipe.augment_start), max(int(recipe.augment_ramp_epochs), 1)

            def strength(epoch):
                e = tf.cast(epoch, tf.float32)
                return tf.where(e < ramp, start + (1.0 - start) * e / ramp, 1.0)

        builder = fer_data.prepare(manual_dir)
        n_train = fer_data.num_examples(fit_split, manual_dir=manual_dir, limit=config.limit)
        steps = n_train // batch_size if drop_remainder else -(-n_train // batch_size)
        common = dict(manual_dir=manual_dir, batch_size=batch_size, normalize="none", seed=config.seed)
        augment = config.augment
        if augment and recipe.augmentation:
            from keras_fer.layers import FerAugmentation

            augment = FerAugmentation(seed=config.seed, **recipe.augmentation)
        def train_from(initial_epoch):
            ds = fer_data.load(fit_split, augment=augment, limit=config.limit, augment_strength=strength,
                               epochs=config.epochs, initial_epoch=initial_epoch, drop_remainder=drop_remainder,
                               **common)
            ds = ds.map(lambda x, y: (x, tf.one_hot(y, 7))) if one_hot else ds
            if recipe.mixup:  # keyed by the batch's number in the whole run, as a resumed run counts it
                ds = fer_data.mix_up(ds, recipe.mixup, seed=config.seed, first_batch=initial_epoch * steps)
            return ds

        val_ds = fer_data.load(config.val_split, **common,
                               limit=val_limit(fer_data.num_examples(config.val_split, manual_dir=manual_dir)))
        test_ds = fer_data.load("public_test", **common)  # all of it, once, whatever selected the epoch
        standardize = None
        if config.normalize == "standardize":
            layer = fer_data.normalization_layer(manual_dir, limit=config.limit)
            standardize = (float(np.ravel(layer.mean)[0]), float(np.ravel(layer.variance)[0]))
        clean = None
        if recipe.precise_bn_images:
            clean = fer_data.load(fit_split, limit=min(recipe.precise_bn_images, n_train), shuffle=False,
                                  manual_dir=manual_dir, batch_size=256, normalize="none")
        val_fit = val_ds.map(lambda x, y: (x, tf.one_hot(y, 7))) if one_hot else val_ds
        # shuffle=False: tf.data already shuffles (and Keras would warn); one dataset holds every epoch
        return _Data(fit_from=train_from,
                     fit_kwargs={"validation_data": val_fit, "shuffle": False, "steps_per_epoch": steps},
                     val_data=val_ds, test_data=test_ds, n_train=n_train, standardize=standardize, use_tf=True,
                     clean_train=clean, builder=builder)
    x_train, y_train = fer_data.arrays(fit_split, manual_dir=manual_dir, limit=config.limit)
    x_val, y_val = fer_data.arrays(config.val_split, manual_dir=manual_dir)
    x_val, y_val = x_val[:val_limit(len(x_val))], y_val[:val_limit(len(y_val))]
    test = fer_data.arrays("public_test", manual_dir=manual_dir)
    x_train, x_val = x_train.astype("float32"), x_val.astype("float32")
    standardize = None
    if config.normalize == "standardize":
        layer = keras.layers.Normalization(axis=-1)
        layer.adapt(x_train)
        standardize = (float(np.ravel(layer.mean)[0]), float(np.ravel(layer.variance)[0]))
    y_fit, yv_fit = y_train, y_val
    if one_hot:
        y_fit, yv_fit = keras.utils.to_categorical(y_train, 7), keras.utils.to_categorical(y_val, 7)
    def train_from(initial_epoch):  # its `epoch` is set by a callback at each epoch's start (_callbacks)
        return fer_data.epoch_batches(x_train, y_fit, batch_size=batch_size, seed=config.seed, epoch=initial_epoch,
                                      drop_remainder=drop_remainder, mixup=recipe.mixup)

    # shuffle=False: the batches are already shuffled per epoch (Keras would reorder them with Python's
    # global `random`, which a resumed process does not share)
    kwargs = {"validation_data": (x_val, yv_fit), "shuffle": False}
    clean = x_train[: recipe.precise_bn_images] if recipe.precise_bn_images else None
    return _Data(fit_from=train_from, fit_kwargs=kwargs, val_data=(x_val, y_val),
                 test_data=test, n_train=len(x_train), standardize=standardize, use_tf=False,
                 clean_train=clean, train_images=x_train)


def _first_images(data: _Data, n: int = 300):
    """The first `n` training and public_test images (0..255), for the sharpness guard."""
    if not data.use_tf:
        return data.train_images[:n], data.val_data[0][:n]
    builder = data.builder

    def take(split):
        split = f"{split}[:{min(n, builder.info.splits[split].num_examples)}]"
        return builder.as_dataset(split=split, batch_size=-1, as_supervised=True)[0].numpy()

    return take("train"), take("public_test")


@dataclasses.dataclass
class _Plan:
    """One run's resolved settings: the configuration, the recipe and the values the recipe fills in."""

    config: TrainConfig
    recipe: object
    out: pathlib.Path
    batch_size: int
    optimizer: str
    learning_rate: float
    verbose: object


def _compile(plan: _Plan, model, data: _Data):
    """Zero-inits the head where the recipe says so, and compiles with the recipe's loss and schedule."""
    import keras

    from keras_fer.recipes import learning_rate_schedule, make_optimizer

    recipe = plan.recipe
    if recipe.zero_init_head:  # a resumed run gets its weights back from the backup afterwards
        head = model.get_layer("predictions")
        head.kernel.assign(keras.ops.zeros(head.kernel.shape, head.kernel.dtype))
    steps_per_epoch = max(1, -(-data.n_train // plan.batch_size))
    lr = learning_rate_schedule(recipe, plan.learning_rate, steps_per_epoch, plan.config.epochs)
    if recipe.label_smoothing or recipe.mixup:  # one-hot (soft) targets: see _prepare_data
        loss = keras.losses.CategoricalCrossentropy(label_smoothing=recipe.label_smoothing)
        metric = keras.metrics.CategoricalAccuracy(name="accuracy")
    else:
        loss = keras.losses.SparseCategoricalCrossentropy()
        metric = keras.metrics.SparseCategoricalAccuracy(name="accuracy")
    model.compile(optimizer=make_optimizer(plan.optimizer, lr, recipe.weight_decay, recipe.ema), loss=loss,
                  metrics=[metric])


def _callbacks(plan: _Plan, data: _Data, fit_data=None, resumed: bool = False):
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
    if hasattr(fit_data, "epoch"):  # the arrays path: each epoch's order is keyed by its number
        callbacks.insert(0, keras.callbacks.LambdaCallback(on_epoch_begin=lambda e, logs: setattr(fit_data, "epoch", e)))
    return callbacks, backup, history


def _summarise(plan: _Plan, model, data: _Data, history, policy, started: float) -> dict:
    """Evaluates the best model on public_test; writes its confusion files, the curves and summary.json."""
    import keras

    from keras_fer.evaluate import evaluate
    from keras_fer.plots import plot_history

    config, out = plan.config, plan.out
    best = keras.saving.load_model(out / "best.keras", compile=False)
    result = evaluate(best, data.test_data)  # public_test, once, with the selected model
    accuracy = result.accuracy
    result.write(out, title=f"{config.model} best model on public_test (accuracy {accuracy:.3f})")
    best_info = json.loads((out / "best.json").read_text())
    with atomic_path(out / "curves.png") as tmp:
        plot_history(history.rows, title=f"{config.model} ({config.recipe} recipe)", best_epoch=best_info["epoch"],
                     path=tmp)
    rows = history.rows
    summary = {
        "model": config.model,
        "params": _count_params(model),
        "epochs": len(rows),
        "best_epoch": best_info["epoch"],
        "selected_on": config.val_split,
        "best_val_accuracy": best_info["value"],
        "public_test_accuracy_of_best": accuracy,
        "last": {k: v for k, v in rows[-1].items() if k != "epoch"},
        "wall_seconds": float(sum(r["epoch_seconds"] for r in rows)),
        "wall_seconds_this_session": time.perf_counter() - started,
        "train_images_per_second": float(np.median([r["train_images_per_second"] for r in rows])),
        "n_train": data.n_train,
        "precision": policy,
        "backend": keras.backend.backend(),
        "input_pipeline": "tf.data" if data.use_tf else "arrays",
    }
    write_json(out / "summary.json", summary)
    return summary


def _fit_and_summarise(plan: _Plan, data: _Data, policy) -> dict:
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
        _compile(plan, model, data)
        from keras_fer.callbacks import AtomicBackupAndRestore

        done = AtomicBackupAndRestore(plan.out / "backup").latest_epoch()
        fit_data = data.fit_from(done)  # the epochs still to run, keyed as an uninterrupted run's
        callbacks, _, history = _callbacks(plan, data, fit_data, resumed=bool(done))
        config = plan.config
        print(f"keras-fer: training {type(model).__name__} ({model.count_params():,} parameters, {config.recipe} "
              f"recipe) on {data.n_train:,} images for {config.epochs} epochs; best epoch chosen on "
              f"{config.val_split}; run folder {plan.out}", flush=True)
        if done:
            print(f"{plan.out}: resuming after epoch {done} of {plan.config.epochs}")
        model.fit(fit_data, epochs=plan.config.epochs, initial_epoch=done, callbacks=callbacks,
                  verbose=verbose, **data.fit_kwargs)
    return _summarise(plan, model, data, history, policy, started)
