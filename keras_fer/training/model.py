"""The model a configuration asks for, compiled with its recipe's loss, optimizer and schedule.

Example:
    >>> from keras_fer.training import TrainConfig
    >>> build_model(TrainConfig(model="vgg")).name
    'fer_vgg'
"""

from __future__ import annotations

import numpy as np

from typing import TYPE_CHECKING

from keras_fer.training.config import TrainConfig

if TYPE_CHECKING:
    from keras_fer.training.config import Plan
    from keras_fer.training.inputs import Inputs


def count_params(model) -> dict:
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


def compile_model(plan: Plan, model, data: Inputs):
    """Zero-inits the head where the recipe says so, and compiles with the recipe's loss and schedule."""
    import keras

    from keras_fer.recipes import learning_rate_schedule, make_optimizer

    recipe = plan.recipe
    if recipe.zero_init_head:  # a resumed run gets its weights back from the backup afterwards
        head = model.get_layer("predictions")
        head.kernel.assign(keras.ops.zeros(head.kernel.shape, head.kernel.dtype))
    steps_per_epoch = max(1, -(-data.n_train // plan.batch_size))
    lr = learning_rate_schedule(recipe, plan.learning_rate, steps_per_epoch, plan.config.epochs)
    if recipe.label_smoothing or recipe.mixup or recipe.distill:  # one-hot (soft) targets: see prepare_inputs
        loss = keras.losses.CategoricalCrossentropy(label_smoothing=recipe.label_smoothing)
        metric = keras.metrics.CategoricalAccuracy(name="accuracy")
    else:
        loss = keras.losses.SparseCategoricalCrossentropy()
        metric = keras.metrics.SparseCategoricalAccuracy(name="accuracy")
    model.compile(optimizer=make_optimizer(plan.optimizer, lr, recipe.weight_decay, recipe.ema), loss=loss,
                  metrics=[metric])
    # The optimizer's variables exist before the first step: left to the step, TensorFlow traces the train
    # step twice (a tf.function that creates variables on its first call is traced again without them),
    # 2-4 s of a small run's start.
    model.optimizer.build(model.trainable_variables)
