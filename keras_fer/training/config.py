"""`TrainConfig`: every setting of a training run, and the `keras-fer train` flags generated from it.

Example:
    >>> TrainConfig(model="vgg", recipe="robust", epochs=30).validate().model
    'vgg'
"""

from __future__ import annotations

import argparse
import dataclasses
import pathlib
from typing import Optional, Union

from keras_fer.data import NORMALIZE_CHOICES
from keras_fer.errors import ConfigError
from keras_fer.precision import PRECISIONS
from keras_fer.recipes import OPTIMIZERS, RECIPES

MODELS = ("cnn", "dnn", "vgg")
#: Where checkpoints are selected: a split carved out of train (honest), or public_test (the course
#: report's protocol, which selects on the test split; kept only to reproduce its table).
VAL_SPLITS = ("validation", "public_test")


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 1")
    return value


def devices_arg(text: str):
    """argparse type: a device count, or "all"."""
    return text if text == "all" else positive_int(text)


def budget_arg(text: str):
    """argparse type: a parameter count, or "match-cnn"."""
    return text if text == "match-cnn" else positive_int(text)


def _flag(default, help: str, **argparse_kwargs):
    """A setting and its `keras-fer train` flag: the help text and argparse's type/choices ride along."""
    return dataclasses.field(default=default, metadata={"help": help, **argparse_kwargs})


@dataclasses.dataclass
class TrainConfig:
    """Every setting of a training run (`keras-fer train` flags, one for one: `add_arguments`).

    `batch_size`, `optimizer` and `learning_rate` left as None take the recipe's values.
    """

    model: str = _flag("cnn", "cnn: the course report's CNN (FerCNN); dnn: a fully connected network (FerDNN); "
                       "vgg: 3x3-convolution stages (FerVGG), cheaper per image", choices=MODELS)
    param_budget: Union[int, str, None] = _flag(None, "dnn only: exact parameter count, or 'match-cnn' (3,258,379)",
                                                type=budget_arg)
    data: Optional[str] = _flag(None, "the folder that holds fer2013.csv(.gz) (default: TFDS' manual dir, "
                                "~/tensorflow_datasets/downloads/manual)")
    epochs: int = _flag(100, "epochs to train", type=positive_int)
    batch_size: Optional[int] = _flag(None, "default: the recipe's (seed: 128)", type=positive_int)
    normalize: str = _flag("rescale", "pixel scaling inside the model: none (0..255), rescale (x/255), standardize "
                           "(mean 0, sd 1)", choices=NORMALIZE_CHOICES)
    augment: bool = _flag(True, "the course report's augmentation: flips, rotation 15, zoom 0.1, shifts 0.1")
    optimizer: Optional[str] = _flag(None, "default: the recipe's", choices=OPTIMIZERS)
    learning_rate: Optional[float] = _flag(None, "peak learning rate (default: the recipe's)", type=float)
    seed: int = _flag(0, "random seed of initialisation, shuffling and augmentation", type=int)
    limit: Optional[int] = _flag(None, "first N training images (smoke runs)", type=positive_int)
    val_limit: Optional[int] = _flag(None, "first N validation images", type=positive_int)
    precision: str = _flag("auto", "auto: mixed bfloat16 where the CPU or GPU computes it fast, else float32",
                           choices=PRECISIONS)
    recipe: str = _flag("seed", "how to train: seed = the course report's (Adam 1e-3, batch 128); fast = the same "
                        "model learning sooner (warm-up, cosine decay, ramps); robust = for faces framed as detectors "
                        "frame them in photos (scale jitter, light, blur, noise; AdamW, label smoothing); accurate = robust's "
                        "optimiser with the course report's augmentation, for FER2013's own crops",
                        choices=RECIPES)
    devices: Union[int, str, None] = _flag(None, "data-parallel training on N devices (or 'all') with the backend's "
                                           "own engine; the batch size stays the global one", type=devices_arg)
    val_split: str = _flag("validation", "where the best epoch is chosen: 'validation' (about 10%% of train, carved "
                           "out and not fitted on) or 'public_test' (the course report's protocol: selects on the "
                           "test split)", choices=VAL_SPLITS)

    def validate(self) -> "TrainConfig":
        """Checks every setting (raises `ConfigError`, a `ValueError`, naming the first bad one); returns self."""
        from keras_fer.distribute import check_devices

        if self.model not in MODELS:
            raise ConfigError(f"model={self.model!r}: expected one of {MODELS}")
        if self.param_budget is not None:
            if self.model != "dnn":
                raise ConfigError("param_budget applies to the dnn model only")
            if self.param_budget != "match-cnn":
                try:
                    self.param_budget = int(self.param_budget)
                except (TypeError, ValueError):
                    raise ConfigError(
                        f"param_budget={self.param_budget!r}: expected a positive integer or 'match-cnn'"
                    ) from None
        for name in ("epochs", "batch_size", "limit", "val_limit"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ConfigError(f"{name}={value!r}: expected a positive integer")
        if self.learning_rate is not None and not (isinstance(self.learning_rate, (int, float))
                                                   and 0 < self.learning_rate <= 10):
            raise ConfigError(f"learning_rate={self.learning_rate!r}: expected a number above 0 (and at most 10)")
        if self.model == "dnn" and isinstance(self.param_budget, int):
            from keras_fer.models.budget import solve_widths

            solve_widths(self.param_budget)  # a budget no network fits: ConfigError before anything is written
        for name, allowed in (("normalize", NORMALIZE_CHOICES), ("precision", PRECISIONS),
                              ("val_split", VAL_SPLITS), ("recipe", RECIPES)):
            if getattr(self, name) not in allowed:
                raise ConfigError(f"{name}={getattr(self, name)!r}: expected one of {allowed}")
        if self.optimizer is not None and self.optimizer not in OPTIMIZERS:
            raise ConfigError(f"optimizer={self.optimizer!r}: expected one of {OPTIMIZERS}")
        self.devices = check_devices(self.devices)  # raises ConfigError itself
        return self

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> "TrainConfig":
        """The configuration that `keras-fer train`'s parsed flags (`add_arguments`) give."""
        return cls(**{f.name: getattr(args, f.name) for f in dataclasses.fields(cls)})


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Adds one flag per `TrainConfig` field (`--batch-size` for `batch_size`, `--augment/--no-augment`
    for a bool), with its default, help, type and choices; returns the parser."""
    for field in dataclasses.fields(TrainConfig):
        meta = dict(field.metadata)
        kwargs = dict(default=field.default, help=meta.pop("help"), **meta)
        if isinstance(field.default, bool):
            kwargs["action"] = argparse.BooleanOptionalAction
        parser.add_argument("--" + field.name.replace("_", "-"), **kwargs)
    return parser


def settings_defaults() -> dict:
    """Default values of every setting a run folder records (TrainConfig's and the recipe's fields, the
    latter as "recipe_fields.<name>"): a folder written before a setting existed resumes at its default."""
    from keras_fer.recipes import Recipe

    out = {f.name: f.default for f in dataclasses.fields(TrainConfig)}
    out.update({f"recipe_fields.{f.name}": f.default for f in dataclasses.fields(Recipe)
                if f.default is not dataclasses.MISSING})
    return out


@dataclasses.dataclass
class Plan:
    """One run resolved: the configuration, its recipe and the values the recipe fills in, the data folder,
    the run folder, how it reports, and the caller's extra callbacks."""

    config: TrainConfig
    recipe: object  # keras_fer.recipes.Recipe
    out: pathlib.Path
    manual_dir: pathlib.Path
    batch_size: int
    optimizer: str
    learning_rate: float
    verbose: object = "auto"
    callbacks: list = dataclasses.field(default_factory=list)

    @classmethod
    def resolve(cls, config: TrainConfig, out, recipe=None, verbose="auto", callbacks=()) -> "Plan":
        """Validates `config` and fills in what it leaves to the recipe (`recipe` overrides the named one)."""
        from keras_fer.data import default_manual_dir
        from keras_fer.recipes import get_recipe

        config.validate()
        recipe = recipe or get_recipe(config.recipe)
        manual_dir = pathlib.Path(config.data).expanduser() if config.data else default_manual_dir()
        return cls(config=config, recipe=recipe, out=pathlib.Path(out), manual_dir=manual_dir,
                   batch_size=config.batch_size or recipe.batch_size, optimizer=config.optimizer or recipe.optimizer,
                   learning_rate=config.learning_rate or recipe.learning_rate, verbose=verbose,
                   callbacks=list(callbacks))

    def settings(self) -> dict:
        """What `config.json` records and a resumed run must match (devices aside: a run started on two
        devices resumes on one), the data's fingerprint included."""
        from keras_fer.data import fingerprint

        settings = dataclasses.asdict(self.config)
        settings.pop("devices")
        settings.update(data=str(self.manual_dir.resolve()), batch_size=self.batch_size, optimizer=self.optimizer,
                        learning_rate=self.learning_rate, recipe_fields=dataclasses.asdict(self.recipe))
        settings["data_fingerprint"] = fingerprint(self.manual_dir)
        return settings
