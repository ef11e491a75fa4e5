"""Input pipelines: tf.data over the TFDS builder `fer2013`, and plain arrays for other backends.

`arrays` and `read_unlabeled` need only numpy/pandas/PIL; `load`, `prepare` and
`normalization_layer` need TensorFlow and tensorflow_datasets (imported when called).

Example:
    >>> import keras_fer
    >>> x, y = keras_fer.data.arrays("public_test", manual_dir="../shared/fer2013", limit=8)  # doctest: +SKIP
    >>> ds = keras_fer.data.load("train", manual_dir="../shared/fer2013", augment=True)     # doctest: +SKIP
"""

from __future__ import annotations

from keras_fer.errors import ConfigError

import contextlib
import hashlib
import io
import json
import os
import pathlib
import sys
from typing import Optional, Tuple

import numpy as np

from keras_fer import cache
from tfds_fer2013 import SPLITS as FER2013_SPLITS
from tfds_fer2013 import readers
from tfds_fer2013.readers import FerDataError, FerLayoutError, read_unlabeled  # noqa: F401

NORMALIZE_CHOICES = ("none", "rescale", "standardize")

#: Splits carved out of FER2013's `train`: `validation` (about 10% of every class) for choosing
#: checkpoints, recipes and settings, and `train_fit` (the rest) to fit on. An image's side is decided by
#: a hash of its pixels, so it is the same on every path (tf.data and arrays), in any file order, and
#: identical images (FER2013 has some) never fall on both sides.
CARVED_SPLITS = ("train_fit", "validation")
#: Every split `load` and `arrays` read: FER2013's own, and those carved out of train.
SPLITS = FER2013_SPLITS + CARVED_SPLITS
_VALIDATION_PER_MILLE = 100


def _hash_weights(n_pixels: int) -> np.ndarray:
    return np.random.default_rng(2013).integers(1, 1 << 20, size=n_pixels, dtype=np.int64)


def validation_mask(images) -> np.ndarray:
    """True for the images of `train` that belong to the `validation` split (about 10%).

    Args:
        images: uint8 `[N, H, W, C]` training images.

    Returns:
        bool `[N]`.

    Example:
        >>> x = np.random.default_rng(0).integers(0, 256, (2000, 48, 48, 1), dtype=np.uint8)
        >>> bool(0.08 < validation_mask(x).mean() < 0.12)
        True
    """
    flat = np.asarray(images).reshape(len(images), -1).astype(np.int64)
    return (flat @ _hash_weights(flat.shape[1])) % 1000 < _VALIDATION_PER_MILLE


def _carve(ds, split: str):
    """`ds` (the train split's `(image, label)` pairs) reduced to the carved `split` (tf.data)."""
    import tensorflow as tf

    weights = None

    def keep(x, y):
        nonlocal weights
        if weights is None:
            weights = tf.constant(_hash_weights(int(np.prod(x.shape))))
        h = tf.reduce_sum(tf.cast(tf.reshape(x, [-1]), tf.int64) * weights)
        is_val = tf.math.floormod(h, 1000) < _VALIDATION_PER_MILLE
        return is_val if split == "validation" else tf.logical_not(is_val)

    return ds.filter(keep)


def default_manual_dir() -> pathlib.Path:
    """TFDS' default manual dir, `~/tensorflow_datasets/downloads/manual` (or under $TFDS_DATA_DIR)."""
    root = os.environ.get("TFDS_DATA_DIR", str(pathlib.Path("~/tensorflow_datasets").expanduser()))
    return pathlib.Path(root) / "downloads" / "manual"


def fingerprint(manual_dir=None) -> dict:
    """What identifies the FER2013 files of `manual_dir`: layout, number of files, bytes and SHA-256.

    A run folder records it, and refuses to resume on other data.

    Example:
        >>> fingerprint("../shared/fer2013")["layout"]                       # doctest: +SKIP
        'fer2013_csv'
    """
    manual_dir = pathlib.Path(manual_dir).expanduser() if manual_dir else default_manual_dir()
    layout = readers.find_layout(manual_dir)
    files = []
    for path in layout.paths:
        files += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    digest, size = hashlib.sha256(), 0
    for path in files:
        digest.update(str(path.relative_to(manual_dir) if path.is_relative_to(manual_dir) else path.name).encode())
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
                size += len(block)
    return {"layout": layout.name, "files": len(files), "bytes": size, "sha256": digest.hexdigest()}


def prepare(manual_dir=None, data_dir=None):
    """Prepares (once) and returns the TFDS builder `fer2013` for `manual_dir`.

    Args:
        manual_dir: directory with the FER2013 files (default: `default_manual_dir()`).
        data_dir: where TFDS writes the prepared dataset (default: a folder of the keras-fer
            cache keyed by the manual dir, so different sources never mix).

    Returns:
        The prepared `tfds.core.DatasetBuilder`.
    """
    import tensorflow_datasets as tfds

    import tfds_fer2013.fer2013_dataset_builder  # noqa: F401  (registers the builder)

    manual_dir = pathlib.Path(manual_dir).expanduser() if manual_dir else default_manual_dir()
    layout = readers.find_layout(manual_dir)  # a clear error (with instructions) before anything is written
    keyed = data_dir is None
    data_dir = data_dir or cache.prepared_dir(manual_dir, layout)
    if not sys.stderr.isatty():  # progress bars would leave escape codes in log files
        tfds.disable_progress_bar()
    builder = tfds.builder("fer2013", data_dir=os.fspath(data_dir))
    if not builder.is_prepared():
        # TFDS' own lines speak of downloading and "Unknown size": nothing is downloaded here
        print(f"keras-fer: preparing FER2013 from {manual_dir} into {builder.data_dir} (once; about a minute)",
              file=sys.stderr, flush=True)
    with contextlib.redirect_stdout(io.StringIO()):
        builder.download_and_prepare(
            download_config=tfds.download.DownloadConfig(manual_dir=os.fspath(manual_dir))
        )
    if keyed and not (pathlib.Path(data_dir) / "source.json").is_file():
        cache.record_source(pathlib.Path(data_dir), manual_dir, layout)
    return builder


def _count(ds) -> int:
    import tensorflow as tf

    return int(ds.batch(4096).reduce(tf.constant(0, tf.int64), lambda n, b: n + tf.cast(tf.shape(b[1])[0], tf.int64)))


def carved_sizes(builder) -> dict:
    """`{"train_fit": n, "validation": m}` of a prepared builder: counted in one pass over train (each
    image decoded and hashed) the first time, then read from `carved_sizes.json` beside the prepared copy.

    Example:
        >>> carved_sizes(prepare("../shared/fer2013"))                      # doctest: +SKIP
        {'train_fit': 25816, 'validation': 2893}
    """
    from keras_fer.io import write_json

    n_train = builder.info.splits["train"].num_examples
    key = {"validation_per_mille": _VALIDATION_PER_MILLE, "train": n_train}
    path = pathlib.Path(builder.data_dir) / "carved_sizes.json"
    try:
        saved = json.loads(path.read_text())
        if saved.get("key") == key:
            return {split: int(saved["sizes"][split]) for split in CARVED_SPLITS}
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        pass  # absent, unreadable or from another carve: count again
    validation = _count(_carve(builder.as_dataset(split="train", as_supervised=True, shuffle_files=False),
                               "validation"))
    sizes = {"train_fit": n_train - validation, "validation": validation}
    try:
        write_json(path, {"key": key, "sizes": sizes})
    except OSError:
        pass  # a read-only prepared copy: count again next time
    return sizes


def _check_split(builder, split: str) -> None:
    base = split.split("[")[0]
    if base in CARVED_SPLITS:
        base = "train"
    if base not in builder.info.splits:
        raise ConfigError(
            f"split {split!r}: the FER2013 files hold only {sorted(builder.info.splits)}"
        )


def normalization_layer(manual_dir=None, data_dir=None, limit=None):
    """Keras' `Normalization` adapted on the train split (mean and variance of x/1, one channel).

    Example:
        >>> layer = normalization_layer("../shared/fer2013")   # doctest: +SKIP
    """
    import keras
    import tensorflow as tf

    builder = prepare(manual_dir, data_dir)
    ds = builder.as_dataset(split="train", as_supervised=True)
    if limit:
        ds = ds.take(limit)
    layer = keras.layers.Normalization(axis=-1)
    layer.adapt(ds.map(lambda x, y: tf.cast(x, "float32")).batch(1024))
    return layer


def load(
    split: str,
    *,
    data_dir=None,
    manual_dir=None,
    batch_size: int = 128,
    shuffle: Optional[bool] = None,
    augment=False,
    normalize="rescale",
    cache: bool = True,
    seed: Optional[int] = None,
    limit: Optional[int] = None,
    drop_remainder: bool = False,
    augment_strength=None,
    epochs: Optional[int] = None,
    initial_epoch: int = 0,
    label_map=None,
):
    """A prefetched `tf.data.Dataset` of `(float32 [B, 48, 48, 1], int32 [B])` batches of a split.

    Order: builder -> (limit) -> cache -> shuffle -> batch -> normalise + augment (one parallel
    map) -> prefetch(AUTOTUNE).

    Args:
        split: "train", "public_test", "private_test" (TFDS slicing such as "train[:10%]" works), or
            a split carved out of train: "train_fit" or "validation" (`CARVED_SPLITS`).
        data_dir: where the prepared dataset lives (see `prepare`).
        manual_dir: the FER2013 files (see `prepare`).
        batch_size: images per batch.
        shuffle: shuffle the whole split each epoch; default: True for "train" and "train_fit".
        augment: False, True (the course report's augmentation, `FerAugmentation()`) or a Keras layer.
        normalize: "none" (0..255), "rescale" (x/255) or "standardize" (Keras `Normalization`
            adapted on train), or a Keras layer to apply.
        cache: cache decoded images in memory.
        seed: seed of shuffling and augmentation; with a seed, two iterations are identical.
        limit: keep only the first `limit` images of the split.
        drop_remainder: drop a last, smaller batch.
        augment_strength: a number or a `tf.Variable` scaling the rotation, zoom and shift of a
            `FerAugmentation` (read at every batch), or, with `epochs`, a function of the epoch (an
            int64 tensor) that returns it.
        epochs: for training: the dataset then holds epochs `initial_epoch` .. `epochs - 1` one after
            the other (give `fit` `steps_per_epoch`), each epoch's order and augmentation keyed by
            (seed, epoch, batch): a run resumed at `initial_epoch` sees what an uninterrupted one saw.
        initial_epoch: the first epoch (0-based) the dataset holds, with `epochs`.
        label_map: a function `(raw images [B, 48, 48, 1], labels [B]) -> targets [B, ...]` applied to each
            batch before augmentation (e.g. `keras_fer.training.teacher.target_map`'s soft targets); the
            batches then carry its targets instead of int32 labels.

    Returns:
        `tf.data.Dataset`.

    Example:
        >>> ds = load("train", manual_dir="../shared/fer2013", augment=True, seed=0)  # doctest: +SKIP
        >>> x, y = next(iter(ds)); x.shape, y.dtype                                 # doctest: +SKIP
        (TensorShape([128, 48, 48, 1]), tf.int32)
    """
    import keras
    import tensorflow as tf

    from keras_fer.layers.augmentation import FerAugmentation, tensorflow_ops

    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ConfigError(f"batch_size={batch_size!r}: expected a positive integer")
    if isinstance(normalize, str) and normalize not in NORMALIZE_CHOICES:
        raise ConfigError(f"normalize={normalize!r}: expected one of {NORMALIZE_CHOICES} or a layer")
    builder = prepare(manual_dir, data_dir)
    _check_split(builder, split)
    carved = split in CARVED_SPLITS
    ds = builder.as_dataset(split="train" if carved else split, as_supervised=True, shuffle_files=False)
    if carved:
        ds = _carve(ds, split)
    if limit is not None:
        ds = ds.take(int(limit))
    if cache:
        ds = ds.cache()
    if carved:  # a filter hides the size, and Keras then warns at each epoch's end
        n = carved_sizes(builder)[split]
        ds = ds.apply(tf.data.experimental.assert_cardinality(min(n, int(limit)) if limit is not None else n))
    if shuffle is None:
        shuffle = split.startswith("train")
    size = builder.info.splits["train" if carved else split].num_examples
    size = max(min(size, int(limit)) if limit is not None else size, 1)

    if normalize == "standardize":
        normalize = normalization_layer(manual_dir, data_dir)
    if augment is True:
        augment = FerAugmentation(seed=seed)

    def scale(x):
        x = tf.cast(x, tf.float32)
        if normalize == "rescale":
            return x / 255.0
        if isinstance(normalize, keras.layers.Layer):
            return tf.convert_to_tensor(normalize(x))
        return x

    def finish(key, epoch, batch):
        """Scales (and augments) one batch; `key` and `epoch` (int64 scalars) key its random draws."""
        x, y = batch
        y = tf.cast(y, tf.int32) if label_map is None else label_map(x, y)  # targets from the raw images
        if isinstance(augment, FerAugmentation):
            x = tf.cast(x, tf.float32)  # augmented in 0..255 (the layer's value_range), then scaled
            counter = iter(range(32))

            def uniform(low, high, shape=None):
                stream = tf.stack([key, tf.constant(next(counter), tf.int64)])
                shape = tf.shape(x)[:1] if shape is None else shape
                return tf.random.stateless_uniform(shape, stream, minval=low, maxval=high)

            if callable(augment_strength) and not isinstance(augment_strength, tf.Variable):
                k = tf.cast(augment_strength(epoch), tf.float32)
            else:
                k = 1.0 if augment_strength is None else tf.cast(augment_strength, tf.float32)
            return scale(augment.augment(x, uniform, k, ops=tensorflow_ops())), y
        if augment:
            return tf.convert_to_tensor(augment(scale(x), training=True)), y
        return scale(x), y

    if epochs is not None:
        # Training: one dataset over epochs initial_epoch .. epochs-1, each epoch's order and augmentation
        # keyed by (seed, epoch, batch), so a run resumed after epoch k sees what an uninterrupted run saw.
        def one_epoch(epoch: int):
            key = (0 if seed is None else int(seed)) * 1_000_003 + epoch
            d = ds.shuffle(size, seed=key, reshuffle_each_iteration=False) if shuffle else ds
            d = d.batch(batch_size, drop_remainder=drop_remainder).enumerate()
            e = tf.constant(epoch, tf.int64)
            return d.map(lambda i, b: finish(key * 100_003 + i, e, b), num_parallel_calls=tf.data.AUTOTUNE,
                         deterministic=True)

        epoch_list = [one_epoch(e) for e in range(int(initial_epoch), max(int(epochs), int(initial_epoch) + 1))]
        ds = epoch_list[0] if initial_epoch < epochs else epoch_list[0].take(0)
        for more in epoch_list[1:]:
            ds = ds.concatenate(more)
        return ds.prefetch(tf.data.AUTOTUNE)

    if shuffle:
        ds = ds.shuffle(size, seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    if isinstance(augment, FerAugmentation):
        # Stateless draws keyed by one random number per batch from a seeded stream that changes
        # every epoch: identical for two runs with one seed, and independent of how many batches
        # the parallel map computes at once.
        keys = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
        ds = tf.data.Dataset.zip(keys, ds).map(lambda key, b: finish(key, tf.constant(0, tf.int64), b),
                                               num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    else:
        ds = ds.map(lambda x, y: finish(None, None, (x, y)), num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def num_examples(split: str, *, manual_dir=None, limit: Optional[int] = None) -> int:
    """How many images `load(split, limit=limit)` yields (counted for a carved split).

    Example:
        >>> num_examples("validation", manual_dir="../shared/fer2013")      # doctest: +SKIP
        2893
    """
    builder = prepare(manual_dir)
    if split in CARVED_SPLITS:
        n = carved_sizes(builder)[split]
    else:
        n = builder.info.splits[split].num_examples
    return min(n, int(limit)) if limit is not None else n


def arrays(
    split: str, *, manual_dir=None, limit: Optional[int] = None
) -> Tuple[np.ndarray, np.ndarray]:
    """The images and labels of a split as numpy arrays, read straight from the source files.

    Works without TensorFlow (JAX / PyTorch / scikit-learn users). Same layouts, split rules and
    checks as the builder; the order is the files' order.

    Args:
        split: "train", "public_test", "private_test", "train_fit" or "validation".
        manual_dir: the FER2013 files (default: `default_manual_dir()`).
        limit: keep only the first `limit` images.

    Returns:
        `(x uint8 [N, 48, 48, 1], y int64 [N])`.

    Example:
        >>> x, y = arrays("public_test", manual_dir="../shared/fer2013", limit=4)  # doctest: +SKIP
    """
    manual_dir = pathlib.Path(manual_dir).expanduser() if manual_dir else default_manual_dir()
    splits = readers.read_labelled(manual_dir)
    base = "train" if split in CARVED_SPLITS else split
    if base not in splits:
        raise ConfigError(f"split {split!r}: the FER2013 files in {manual_dir} hold only {sorted(splits)}")
    x, y = splits[base]
    if split in CARVED_SPLITS:
        keep = validation_mask(x) == (split == "validation")
        x, y = x[keep], y[keep]
    if limit is not None:
        x, y = x[: int(limit)], y[: int(limit)]
    return x, y


def mix_up(ds, alpha: float, *, seed: int, first_batch: int = 0):
    """Mixup (Zhang et al. 2018) on a `tf.data.Dataset` of `(images, one-hot labels)` batches.

    Each image and its label are mixed with the batch's image at the mirrored position (the batch is
    already shuffled), by a weight drawn from Beta(`alpha`, `alpha`) per image. Draws are stateless,
    keyed by (`seed`, batch number counted from `first_batch`): give the number of batches already
    trained when a run resumes, and it replays what an uninterrupted run drew. (Keras' `MixUp` layer
    mixes the same way but draws from a stateful generator.)

    Example:
        >>> import tensorflow as tf
        >>> ds = tf.data.Dataset.from_tensors((tf.ones([4, 2, 2, 1]), tf.one_hot([0, 1, 2, 3], 7)))
        >>> x, y = next(iter(mix_up(ds, 0.2, seed=0)))
        >>> bool(tf.reduce_all(x == 1.0)), [round(float(v), 5) for v in tf.reduce_sum(y, 1)]
        (True, [1.0, 1.0, 1.0, 1.0])
    """
    import tensorflow as tf

    def mix(i, batch):
        x, y = batch
        n = tf.shape(x)[:1]
        keys = tf.random.experimental.stateless_split(tf.stack([tf.constant(int(seed), tf.int64), i]), 2)
        g1, g2 = (tf.random.stateless_gamma(n, keys[k], alpha) for k in (0, 1))
        lam = g1 / (g1 + g2)
        mix_x = tf.reshape(tf.cast(lam, x.dtype), [-1, 1, 1, 1])
        mix_y = tf.reshape(tf.cast(lam, y.dtype), [-1, 1])
        return (mix_x * x + (1 - mix_x) * tf.reverse(x, [0]),
                mix_y * y + (1 - mix_y) * tf.reverse(y, [0]))

    return ds.enumerate(int(first_batch)).map(mix, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)


def epoch_batches(x, y, *, batch_size: int, seed: int, epoch: int = 0, drop_remainder: bool = False,
                  mixup: float = 0.0):
    """A `keras.utils.PyDataset` of one epoch's shuffled batches, the order drawn from
    `np.random.default_rng([seed, epoch])` (`drop_remainder`: without the last, smaller batch); set its `epoch` attribute at each epoch's start (a callback's
    `on_epoch_begin` does), and a run resumed at epoch k sees what an uninterrupted run saw. The arrays
    path of training (JAX, PyTorch); needs only Keras. `mixup` > 0: each image and its (one-hot) label
    mixed with the batch's mirrored one by a Beta(mixup, mixup) weight per image (see `mix_up`).

    Example:
        >>> xs, ys = np.arange(10)[:, None], np.arange(10)
        >>> batches = epoch_batches(xs, ys, batch_size=4, seed=0)
        >>> len(batches), sorted(np.concatenate([batches[i][1] for i in range(3)]).tolist()) == list(range(10))
        (3, True)
        >>> first = batches[0][1]; batches.epoch = 1
        >>> bool((batches[0][1] == first).all()), bool((epoch_batches(xs, ys, batch_size=4, seed=0, epoch=1)[0][1] == batches[0][1]).all())
        (False, True)
    """
    import keras

    class _EpochBatches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.epoch = int(epoch)

        def __len__(self):
            return len(x) // batch_size if drop_remainder else -(-len(x) // batch_size)

        def __getitem__(self, index):
            order = np.random.default_rng([int(seed), int(self.epoch)]).permutation(len(x))
            pick = order[index * batch_size:(index + 1) * batch_size]
            if not mixup:
                return x[pick], y[pick]
            lam = np.random.default_rng([int(seed), int(self.epoch), int(index)]).beta(mixup, mixup, len(pick))
            xs, ys = x[pick].astype("float32"), y[pick].astype("float32")
            lx, ly = lam.reshape((-1,) + (1,) * (xs.ndim - 1)).astype("float32"), lam[:, None].astype("float32")
            return lx * xs + (1 - lx) * xs[::-1], ly * ys + (1 - ly) * ys[::-1]

    return _EpochBatches()
