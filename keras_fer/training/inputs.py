"""What `fit` is given: tf.data pipelines (TensorFlow backend) or numpy arrays (JAX, PyTorch), each epoch's
order, augmentation and mixup keyed by (seed, epoch[, batch]) so a resumed run sees what an uninterrupted one saw.

Example:
    >>> from keras_fer.training import TrainConfig
    >>> from keras_fer.recipes import get_recipe
    >>> inputs = prepare_inputs(TrainConfig(limit=64), get_recipe("seed"), "../shared/fer2013", 32)  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import pathlib
from typing import Optional

import numpy as np

from keras_fer.training.config import TrainConfig


def use_tf_data() -> bool:
    import keras

    if keras.backend.backend() != "tensorflow":
        return False
    try:
        import tensorflow_datasets  # noqa: F401  (the tf.data path reads through the builder)
    except ImportError:
        return False
    return True


@dataclasses.dataclass
class Inputs:
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


def prepare_inputs(config: TrainConfig, recipe, manual_dir: pathlib.Path, batch_size: int) -> Inputs:
    """tf.data pipelines (TensorFlow backend) or numpy arrays (other backends) for `fit`."""
    import keras

    from keras_fer import data as fer_data

    # soft targets need CategoricalCrossentropy
    one_hot = recipe.label_smoothing > 0 or recipe.mixup > 0 or recipe.distill > 0
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
    if use_tf_data():
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
        label_map = None
        if recipe.distill:  # the teacher runs once on every image of the split, before the first epoch
            from keras_fer.training import teacher

            x_fit = np.concatenate([np.asarray(x, np.uint8) for x, _ in fer_data.load(
                fit_split, limit=config.limit, shuffle=False, manual_dir=manual_dir, batch_size=1024, normalize="none")])
            label_map = teacher.target_map(x_fit, teacher.teacher_probabilities(x_fit), recipe.distill)

        def train_from(initial_epoch):
            ds = fer_data.load(fit_split, augment=augment, limit=config.limit, augment_strength=strength,
                               epochs=config.epochs, initial_epoch=initial_epoch, drop_remainder=drop_remainder,
                               label_map=label_map, **common)
            ds = ds.map(lambda x, y: (x, tf.one_hot(y, 7))) if one_hot and label_map is None else ds
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
        return Inputs(fit_from=train_from,
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
    if recipe.distill:
        from keras_fer.training import teacher

        y_fit = teacher.soft_targets(teacher.teacher_probabilities(x_train), y_train, recipe.distill)
    def train_from(initial_epoch):  # its `epoch` is set by a callback at each epoch's start (_callbacks)
        return fer_data.epoch_batches(x_train, y_fit, batch_size=batch_size, seed=config.seed, epoch=initial_epoch,
                                      drop_remainder=drop_remainder, mixup=recipe.mixup)

    # shuffle=False: the batches are already shuffled per epoch (Keras would reorder them with Python's
    # global `random`, which a resumed process does not share)
    kwargs = {"validation_data": (x_val, yv_fit), "shuffle": False}
    clean = x_train[: recipe.precise_bn_images] if recipe.precise_bn_images else None
    return Inputs(fit_from=train_from, fit_kwargs=kwargs, val_data=(x_val, y_val),
                 test_data=test, n_train=len(x_train), standardize=standardize, use_tf=False,
                 clean_train=clean, train_images=x_train)


def first_images(data: Inputs, n: int = 300):
    """The first `n` training and public_test images (0..255), for the sharpness guard."""
    if not data.use_tf:
        return data.train_images[:n], data.val_data[0][:n]
    builder = data.builder

    def take(split):
        split = f"{split}[:{min(n, builder.info.splits[split].num_examples)}]"
        return builder.as_dataset(split=split, batch_size=-1, as_supervised=True)[0].numpy()

    return take("train"), take("public_test")
