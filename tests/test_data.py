"""keras_fer.data: the tf.data pipeline over the builder, arrays without TensorFlow, the real data."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import keras_fer
from keras_fer import data
from tfds_fer2013 import testing

from conftest import REAL_DATA


def batches(ds):
    return [(x.numpy(), y.numpy()) for x, y in ds]


def test_shapes_dtypes_and_batching(fer_dir):
    ds = data.load("train", manual_dir=fer_dir, batch_size=32)
    got = batches(ds)
    assert [len(y) for _, y in got] == [32, 32, 6]
    x, y = got[0]
    assert x.shape == (32, 48, 48, 1) and x.dtype == np.float32 and y.dtype == np.int32
    assert 0.0 <= x.min() and x.max() <= 1.0  # "rescale" is the default


def test_normalize_none_rescale_standardize(fer_dir):
    raw = np.concatenate([x for x, _ in batches(data.load("public_test", manual_dir=fer_dir, normalize="none"))])
    assert raw.max() > 1.0 and np.array_equal(raw, np.round(raw))
    scaled = np.concatenate([x for x, _ in batches(data.load("public_test", manual_dir=fer_dir))])
    np.testing.assert_allclose(scaled, raw / 255.0, rtol=1e-6)
    std = np.concatenate([x for x, _ in batches(data.load("train", manual_dir=fer_dir, normalize="standardize", shuffle=False))])
    assert abs(std.mean()) < 1e-3 and abs(std.std() - 1.0) < 1e-2  # adapted on train itself
    with pytest.raises(ValueError, match="normalize='minmax'"):
        data.load("train", manual_dir=fer_dir, normalize="minmax")


def test_public_test_is_not_shuffled_and_matches_arrays(fer_dir):
    x, y = data.arrays("public_test", manual_dir=fer_dir)
    ds = data.load("public_test", manual_dir=fer_dir, normalize="none")
    first, second = batches(ds), batches(ds)  # two passes (epochs) in one and the same order
    images = np.concatenate([a for a, _ in first]).astype(np.uint8)
    labels = np.concatenate([b for _, b in first])
    assert np.array_equal(images, np.concatenate([a for a, _ in second]).astype(np.uint8))
    assert np.array_equal(labels, np.concatenate([b for _, b in second]))
    # the same (image, label) pairs as the source file (TFDS stores them in its own order)
    key = lambda xs, ys: sorted((img.tobytes(), int(lab)) for img, lab in zip(xs, ys))  # noqa: E731
    assert key(images, labels) == key(x, y)


def test_determinism_with_a_seed_and_variation_without(fer_dir):
    a = batches(data.load("train", manual_dir=fer_dir, augment=True, seed=7))
    b = batches(data.load("train", manual_dir=fer_dir, augment=True, seed=7))
    c = batches(data.load("train", manual_dir=fer_dir, augment=True, seed=8))
    for (xa, ya), (xb, yb) in zip(a, b):
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)
    assert not all(np.array_equal(xa, xc) for (xa, _), (xc, _) in zip(a, c))


def test_epochs_differ_reshuffle_and_reaugment(fer_dir):
    ds = data.load("train", manual_dir=fer_dir, augment=True, seed=1)
    first, second = batches(ds), batches(ds)
    assert not np.array_equal(first[0][1], second[0][1]) or not np.array_equal(first[0][0], second[0][0])


def test_augmentation_changes_training_pixels_only(fer_dir):
    plain = batches(data.load("train", manual_dir=fer_dir, shuffle=False))
    aug = batches(data.load("train", manual_dir=fer_dir, shuffle=False, augment=True, seed=0))
    for (xp, yp), (xa, ya) in zip(plain, aug):
        np.testing.assert_array_equal(yp, ya)
        assert not np.allclose(xp, xa)
        assert xa.min() >= 0.0 and xa.max() <= 1.0  # nearest fill: no values outside the image's
    layer = keras_fer.layers.FerAugmentation(seed=0)
    x = plain[0][0]
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)


def test_augment_accepts_any_keras_layer(fer_dir):
    import keras

    flip = keras.layers.RandomFlip("horizontal", seed=0)
    got = batches(data.load("train", manual_dir=fer_dir, shuffle=False, augment=flip))
    x = np.concatenate([b for b, _ in got])
    plain = np.concatenate([b for b, _ in batches(data.load("train", manual_dir=fer_dir, shuffle=False))])
    assert x.shape == (70, 48, 48, 1) and not np.array_equal(x, plain)  # some images flipped


def test_limit_and_unknown_split(fer_dir):
    got = batches(data.load("train", manual_dir=fer_dir, limit=10, batch_size=4))
    assert sum(len(y) for _, y in got) == 10
    with pytest.raises(ValueError, match=r"split 'private_test': the FER2013 files hold only \['public_test', 'train'\]"):
        data.load("private_test", manual_dir=fer_dir)


def test_missing_manual_dir_gives_instructions_before_writing(tmp_path):
    with pytest.raises(data.FerLayoutError, match="(?s)does not exist.*fer2013.csv"):
        data.load("train", manual_dir=tmp_path / "missing")
    assert not (tmp_path / "cache").exists()


def test_bad_file_writes_nothing(tmp_path):
    (tmp_path / "fer").mkdir()
    (tmp_path / "fer" / "fer2013.csv").write_text("emotion,pixels,Usage\n9," + " ".join(["1"] * 2304) + ",Training\n")
    with pytest.raises(data.FerDataError, match="line 2: emotion is '9'"):
        data.load("train", manual_dir=tmp_path / "fer")
    prepared = list((tmp_path / "cache").rglob("*.tfrecord*")) if (tmp_path / "cache").exists() else []
    assert prepared == []


def test_each_manual_dir_gets_its_own_prepared_copy(tmp_path):
    testing.write_fer2013_csv(tmp_path / "a", n_train=14, n_public=7)
    testing.write_fer2013_csv(tmp_path / "b", n_train=21, n_public=7)
    assert sum(len(y) for _, y in batches(data.load("train", manual_dir=tmp_path / "a"))) == 14
    assert sum(len(y) for _, y in batches(data.load("train", manual_dir=tmp_path / "b"))) == 21


def test_tfds_load_works_after_import(fer_dir, tmp_path):
    import tensorflow_datasets as tfds

    ds = tfds.load("fer2013", split="public_test", data_dir=tmp_path / "tfds2",
                   download_and_prepare_kwargs={"download_config": tfds.download.DownloadConfig(manual_dir=str(fer_dir))})
    assert len(list(ds)) == 21


def test_arrays_and_read_unlabeled_work_without_tensorflow(fer_dir):
    from no_tensorflow import BLOCK_TENSORFLOW

    code = BLOCK_TENSORFLOW + (
        "import os; os.environ['KERAS_BACKEND'] = 'jax'\n"
        "import json, keras_fer\n"
        f"x, y = keras_fer.data.arrays('train', manual_dir={str(fer_dir)!r}, limit=9)\n"
        "print(json.dumps([list(x.shape), str(x.dtype), str(y.dtype)]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [[9, 48, 48, 1], "uint8", "int64"]


@pytest.mark.slow(seconds=6)
def test_augmented_pipeline_under_the_jax_backend(fer_dir):
    # tf.data runs TensorFlow whatever Keras' backend is: the augmentation must not call JAX ops there.
    pytest.importorskip("jax")
    code = ("import numpy as np, keras; from keras_fer import data; assert keras.backend.backend() == 'jax'; "
            f"ds = data.load('train', manual_dir={str(fer_dir)!r}, augment=True, seed=0, batch_size=32); "
            "x, y = next(iter(ds)); print('SHAPE', tuple(x.shape), float(np.asarray(x).max()) <= 1.0)")
    env = dict(os.environ, KERAS_BACKEND="jax")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "SHAPE (32, 48, 48, 1) True" in out.stdout


@pytest.mark.slow(seconds=10)
@pytest.mark.skipif(not (REAL_DATA / "fer2013.csv.gz").is_file(), reason="real FER2013 not present")
def test_real_fer2013_split_sizes_and_class_counts():
    builder = data.prepare(REAL_DATA)
    splits = builder.info.splits
    assert splits["train"].num_examples == 28709
    assert splits["public_test"].num_examples == 3589
    assert "private_test" not in splits
    import tensorflow_datasets as tfds

    counts = np.zeros(7, dtype=int)  # the labels only: the 28,709 PNGs are left undecoded
    labels = builder.as_dataset(split="train", decoders={"image": tfds.decode.SkipDecoding()}).map(lambda ex: ex["label"])
    for y in labels.batch(4096):
        counts += np.bincount(y.numpy(), minlength=7)
    expected = {"angry": 3995, "disgust": 436, "fear": 4097, "happy": 7215, "sad": 4830, "surprise": 3171, "neutral": 4965}
    assert dict(zip(keras_fer.CLASS_NAMES, counts.tolist())) == expected


def test_validation_is_carved_out_of_train_alike_on_both_paths(fer_dir):
    x, y = data.arrays("train", manual_dir=fer_dir)
    xv, yv = data.arrays("validation", manual_dir=fer_dir)
    xf, yf = data.arrays("train_fit", manual_dir=fer_dir)
    key = lambda xs, ys: sorted((img.tobytes(), int(lab)) for img, lab in zip(xs, ys))  # noqa: E731
    assert len(xv) > 0 and len(xv) + len(xf) == len(x)
    assert key(np.concatenate([xv, xf]), np.concatenate([yv, yf])) == key(x, y)  # a partition of train
    assert not set(map(bytes, xv)) & set(map(bytes, xf))  # no image on both sides
    for split, (xs, ys) in (("validation", (xv, yv)), ("train_fit", (xf, yf))):
        got = batches(data.load(split, manual_dir=fer_dir, normalize="none", shuffle=False))
        images = np.concatenate([a for a, _ in got]).astype(np.uint8)
        labels = np.concatenate([b for _, b in got])
        assert key(images, labels) == key(xs, ys), split  # tf.data and arrays carve the same images
        assert data.num_examples(split, manual_dir=fer_dir) == len(xs)


def test_carved_sizes_are_counted_once_per_prepared_copy(fer_dir, monkeypatch):
    builder = data.prepare(fer_dir)
    passes = []
    count = data._count
    monkeypatch.setattr(data, "_count", lambda ds: passes.append(1) or count(ds))
    sizes = data.carved_sizes(builder)
    x, _ = data.arrays("validation", manual_dir=fer_dir)
    assert sizes == {"validation": len(x), "train_fit": 70 - len(x)} and len(passes) == 1
    assert [data.num_examples(s, manual_dir=fer_dir) for s in ("train_fit", "validation")] == [70 - len(x), len(x)]
    assert sum(len(y) for _, y in batches(data.load("validation", manual_dir=fer_dir, shuffle=False))) == len(x)
    assert len(passes) == 1  # num_examples and load read the file the first count wrote
    saved = builder.data_dir + "/carved_sizes.json"
    record = json.loads(open(saved).read())
    record["key"]["validation_per_mille"] += 1  # another carve: counted again
    open(saved, "w").write(json.dumps(record))
    assert data.carved_sizes(builder) == sizes and len(passes) == 2
    open(saved, "w").write('{"key": ')  # a torn file (not written by keras-fer's atomic write): counted again
    assert data.carved_sizes(builder) == sizes and len(passes) == 3


def test_validation_mask_keeps_identical_images_together_and_takes_a_tenth():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (5000, 48, 48, 1), dtype=np.uint8)
    mask = data.validation_mask(x)
    assert 0.09 < mask.mean() < 0.11
    assert np.array_equal(data.validation_mask(np.concatenate([x, x])), np.concatenate([mask, mask]))
    assert np.array_equal(data.validation_mask(x[::-1]), mask[::-1])  # decided by the pixels, not the order


def test_mix_up_mixes_images_and_labels_alike_and_replays_from_any_batch():
    import tensorflow as tf

    from keras_fer.data import mix_up

    n = 6
    x = np.arange(n, dtype="float32")[:, None, None, None] * np.ones((1, 4, 4, 1), "float32")
    y = np.eye(7, dtype="float32")[np.arange(n)]
    ds = tf.data.Dataset.from_tensors((x, y)).repeat(4)
    batches = [(a.numpy(), b.numpy()) for a, b in mix_up(ds, 0.4, seed=3)]
    for mx, my in batches:
        lam = my[np.arange(n), np.arange(n)]  # each image's own label keeps weight lambda
        assert np.allclose(my.sum(axis=1), 1.0) and (lam >= 0).all() and (lam <= 1).all()
        assert np.allclose(mx[:, 0, 0, 0], lam * np.arange(n) + (1 - lam) * np.arange(n)[::-1], atol=1e-5)
        assert np.allclose(my[np.arange(n), np.arange(n)[::-1]], 1 - lam, atol=1e-6)
    assert not np.allclose(batches[0][1], batches[1][1])  # a new draw per batch
    resumed = [b.numpy() for _, b in mix_up(ds.skip(2), 0.4, seed=3, first_batch=2)]
    assert all(np.array_equal(r, b[1]) for r, b in zip(resumed, batches[2:]))
    other_seed = next(iter(mix_up(ds, 0.4, seed=4)))[1].numpy()
    assert not np.allclose(other_seed, batches[0][1])


def test_epoch_batches_mix_up_is_keyed_by_epoch_and_batch():
    from keras_fer.data import epoch_batches

    x = np.arange(8, dtype="float32")[:, None, None, None] * np.ones((1, 2, 2, 1), "float32")
    y = np.eye(7, dtype="float32")[np.arange(8) % 7]
    batches = epoch_batches(x, y, batch_size=4, seed=0, mixup=0.4)
    mx, my = batches[0]
    assert mx.dtype == np.float32 and np.allclose(my.sum(axis=1), 1.0) and not np.allclose(my.max(axis=1), 1.0)
    again = epoch_batches(x, y, batch_size=4, seed=0, mixup=0.4)[0]
    assert np.array_equal(again[0], mx) and np.array_equal(again[1], my)
    batches.epoch = 1
    assert not np.array_equal(batches[0][1], my)
    plain = epoch_batches(x, y, batch_size=4, seed=0)[0]
    assert np.allclose(plain[1].max(axis=1), 1.0)
