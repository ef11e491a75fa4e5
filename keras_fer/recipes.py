"""Training recipes: `seed` (the course report's, kept exactly) and `fast` (same architecture, learns sooner).

A recipe changes how a model is trained, never what it is: the model that comes out of `fast`
is exactly `FerCNN()` / `FerDNN(...)`, with the same layers and parameter count.

Example:
    >>> get_recipe("seed").learning_rate
    0.001
"""

from __future__ import annotations

from keras_fer.errors import ConfigError

import dataclasses
from typing import Optional

RECIPES = ("seed", "fast", "robust", "accurate")


@dataclasses.dataclass(frozen=True)
class Recipe:
    """How to train.

    Args:
        name: the recipe's name.
        optimizer: "adam", "adamw" or "sgd".
        learning_rate: peak learning rate.
        schedule: "constant" or "warmup_cosine" (linear warm-up, then cosine decay to 0).
        warmup_epochs: epochs of linear warm-up (warmup_cosine only).
        weight_decay: decoupled weight decay (adamw and sgd).
        label_smoothing: label smoothing of the cross-entropy.
        dropout_start: dropout scale at epoch 1, ramping linearly to 1.0 (the model's own rates)
            over `dropout_ramp_epochs`; None keeps the model's rates throughout.
        dropout_ramp_epochs: length of that ramp.
        augment_start: augmentation strength at epoch 1 (1.0 = the course report's), ramping to 1.0 over
            `augment_ramp_epochs`; None keeps full strength.
        augment_ramp_epochs: length of that ramp.
        batch_size: default batch size.
        zero_init_head: start the output layer's kernel at zero (uniform predictions at step 0,
            instead of a softmax that is confidently wrong).
        precise_bn_images: recompute BatchNormalization statistics on this many clean training
            images before each validation (`keras_fer.callbacks.PreciseBatchNorm`); 0: off.
        augmentation: `FerAugmentation` arguments for the training images; None: the course report's.
        mixup: Beta(mixup, mixup) weight of mixup between the images of a batch (`keras_fer.data.mix_up`);
            0: off.
        ema: momentum of an exponential moving average of the weights (the optimizer's `use_ema`),
            which validation, the checkpoint and the final model use; 0: off.
        distill: weight of the bundled default model's (mirror-averaged) probabilities in each training
            target, the rest the image's own label (`keras_fer.training.teacher`); 0: off.
    """

    name: str
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    schedule: str = "constant"
    warmup_epochs: float = 0.0
    weight_decay: float = 0.0
    label_smoothing: float = 0.0
    dropout_start: Optional[float] = None
    dropout_ramp_epochs: int = 0
    augment_start: Optional[float] = None
    augment_ramp_epochs: int = 0
    batch_size: int = 128
    zero_init_head: bool = False
    precise_bn_images: int = 0
    augmentation: Optional[dict] = None
    mixup: float = 0.0
    ema: float = 0.0
    distill: float = 0.0

    def ramp(self, start: Optional[float], ramp_epochs: int, epoch: int) -> float:
        """Scale at 0-based `epoch` of a linear ramp from `start` to 1.0."""
        if start is None or ramp_epochs <= 0 or epoch >= ramp_epochs:
            return 1.0
        return start + (1.0 - start) * epoch / ramp_epochs


#: The course report's: Keras' Adam at its default rate, /255, its augmentation, batch 128.
SEED = Recipe(name="seed")

#: Learns sooner, for the same FerCNN: Adam at 3e-4 with a half-epoch warm-up and cosine decay to 0 at
#: the last epoch; batch 64; the output layer starts at zero; dropout and augmentation start at zero
#: and ramp linearly to the full strength of the course report's over 30 epochs; BatchNormalization
#: statistics recomputed on 4,096 clean training images before each validation. How it does:
#: docs/results.md.
FAST = Recipe(
    name="fast",
    optimizer="adam",
    learning_rate=3e-4,
    schedule="warmup_cosine",
    warmup_epochs=0.5,
    dropout_start=0.0,
    dropout_ramp_epochs=30,
    augment_start=0.0,
    augment_ramp_epochs=30,
    batch_size=64,
    zero_init_head=True,
    precise_bn_images=4096,
)


#: For faces as detectors frame them in real photographs (FerVGG, `keras-fer train --model vgg`): the
#: face framed up to 20% tighter or looser, shifted, rotated, with the light, contrast, gamma, focus and
#: noise of photos; AdamW with a short warm-up and cosine decay, label smoothing 0.1, constant
#: augmentation and dropout (no ramps). How it does: docs/results.md.
ROBUST = Recipe(
    name="robust",
    optimizer="adamw",
    learning_rate=2e-3,
    schedule="warmup_cosine",
    warmup_epochs=1.0,
    weight_decay=0.05,
    label_smoothing=0.1,
    batch_size=64,
    zero_init_head=True,
    augmentation=dict(rotation=12.0, zoom=0.05, shift=0.08, scale=0.2, brightness=0.3, contrast=0.3,
                      gamma=0.3, blur=0.8, noise=0.03),
)


#: For accuracy on FER2013's own crops (FerVGG for 56 epochs on both cores of a 2-core CPU, under two
#: hours): `robust`'s optimiser, schedule and label smoothing with the course report's milder
#: augmentation. The bundled `FerVGG(weights="fer2013-long")` is this recipe, seed 3, 56 epochs; it
#: fits FER2013 more closely and photos less well than `robust` (docs/results.md).
ACCURATE = dataclasses.replace(ROBUST, name="accurate", augmentation=None)


def get_recipe(name: str) -> Recipe:
    """The recipe called `name` (one of `RECIPES`)."""
    recipes = {"seed": SEED, "fast": FAST, "robust": ROBUST, "accurate": ACCURATE}
    if name not in recipes:
        raise ConfigError(f"recipe={name!r}: expected one of {RECIPES}")
    return recipes[name]


SCHEDULES = ("constant", "warmup_cosine")
OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop")


def learning_rate_schedule(recipe: Recipe, learning_rate: float, steps_per_epoch: int, epochs: int):
    """The recipe's learning rate: a constant, or Keras' `CosineDecay` with a linear warm-up.

    "warmup_cosine" rises linearly from 0 to `learning_rate` over `warmup_epochs`, then decays along
    a cosine to 0 at the last step of `epochs`.

    Example:
        >>> s = learning_rate_schedule(Recipe("r", schedule="warmup_cosine", warmup_epochs=1), 1e-3, 10, 10)
        >>> round(float(s(10)), 6), round(float(s(100)), 6)
        (0.001, 0.0)
    """
    import keras

    if recipe.schedule == "constant":
        return learning_rate
    if recipe.schedule == "warmup_cosine":
        warmup = int(recipe.warmup_epochs * steps_per_epoch)
        return keras.optimizers.schedules.CosineDecay(
            0.0, max(epochs * steps_per_epoch - warmup, 1), warmup_target=learning_rate, warmup_steps=warmup)
    raise ConfigError(f"schedule={recipe.schedule!r}: expected one of {SCHEDULES}")


def make_optimizer(name: str, learning_rate, weight_decay: float = 0.0, ema: float = 0.0):
    """A Keras optimizer by name ("adam", "adamw", "sgd", "rmsprop") at `learning_rate`;
    `weight_decay` is AdamW's (and SGD's) decoupled decay (0 means none); `ema` > 0 keeps an exponential
    moving average of the weights with that momentum (`use_ema`)."""
    import keras

    common = dict(use_ema=True, ema_momentum=float(ema)) if ema else {}
    if name == "adam":
        return keras.optimizers.Adam(learning_rate, **common)
    if name == "adamw":
        return keras.optimizers.AdamW(learning_rate, weight_decay=weight_decay, **common)
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate, momentum=0.9, nesterov=True, weight_decay=weight_decay or None,
                                    **common)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate, **common)
    raise ConfigError(f"optimizer={name!r}: expected one of {OPTIMIZERS}")
