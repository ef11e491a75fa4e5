"""keras_fer.layers.FerAugmentation: one affine warp, training only, serialisable, tf.data-safe."""

import numpy as np
import pytest
import tensorflow as tf

import keras
from keras_fer.layers import FerAugmentation
from keras_fer.layers.augmentation import affine_matrices, tensorflow_ops
from conftest import run_model_saving_test


def faces(n=8, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 1, (n, 48, 48, 1)).astype("float32")


def test_training_changes_pixels_inference_does_not():
    x = faces()
    layer = FerAugmentation(seed=1)
    y = np.asarray(layer(x, training=True))
    assert y.shape == x.shape and y.dtype == np.float32
    assert not np.allclose(y, x)
    np.testing.assert_array_equal(np.asarray(layer(x)), x)
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)


def test_zero_strength_is_identity_and_flip_only_mirrors():
    x = faces(4)
    still = FerAugmentation(flip=False, rotation=0, zoom=0, shift=0, seed=0)
    np.testing.assert_allclose(np.asarray(still(x, training=True)), x, atol=1e-5)
    flip = FerAugmentation(flip=True, rotation=0, zoom=0, shift=0, seed=0)
    y = np.asarray(flip(faces(64), training=True))
    x64 = faces(64)
    mirrored = [np.allclose(a, b[:, ::-1], atol=1e-5) for a, b in zip(y, x64)]
    unchanged = [np.allclose(a, b, atol=1e-5) for a, b in zip(y, x64)]
    assert all(m or u for m, u in zip(mirrored, unchanged))
    assert 10 < sum(mirrored) < 54  # about half are flipped


def test_strength_scales_the_warp():
    x = faces(4)
    layer = FerAugmentation(flip=False, seed=0)
    layer.strength = 0.0
    np.testing.assert_allclose(np.asarray(layer(x, training=True)), x, atol=1e-5)
    layer.strength = 1.0
    assert not np.allclose(np.asarray(layer(x, training=True)), x, atol=1e-3)
    assert "strength" not in layer.get_config()  # a training-time setting, never saved


def test_one_affine_matrix_composes_the_four():
    # Mid-point draws: no rotation, zoom 1, no shift, no flip -> identity.
    mid = lambda lo, hi: np.full(3, (lo + hi) / 2)  # noqa: E731
    m = affine_matrices(np, 3, 48, 48, mid, False, 15.0, 0.1, 0.1)
    np.testing.assert_allclose(m, np.tile([1, 0, 0, 0, 1, 0, 0, 0], (3, 1)), atol=1e-9)
    # Maximal draws: rotation 15 deg, zoom 1.1 on both axes, shift +0.1 of width/height.
    top = lambda lo, hi: np.full(1, hi)  # noqa: E731
    m = affine_matrices(np, 1, 48, 48, top, False, 15.0, 0.1, 0.1)[0]
    c, s = np.cos(np.pi / 12), np.sin(np.pi / 12)
    np.testing.assert_allclose(m[[0, 1, 3, 4]], [1.1 * c, -1.1 * s, 1.1 * s, 1.1 * c], atol=1e-9)
    centre = np.array([23.5, 23.5])
    mapped = np.array([m[0] * 23.5 + m[1] * 23.5 + m[2], m[3] * 23.5 + m[4] * 23.5 + m[5]])
    np.testing.assert_allclose(mapped, centre + 4.8, atol=1e-9)  # the centre moves by the shift only


def test_seeded_layers_agree():
    x = faces()
    a = np.asarray(FerAugmentation(seed=3)(x, training=True))
    b = np.asarray(FerAugmentation(seed=3)(x, training=True))
    np.testing.assert_array_equal(a, b)


def test_inside_tf_data_and_inside_a_model():
    layer = FerAugmentation(seed=0)
    ds = tf.data.Dataset.from_tensor_slices(faces(16)).batch(8).map(lambda x: layer(x, training=True))
    out = np.concatenate([b.numpy() for b in ds])
    assert out.shape == (16, 48, 48, 1) and not np.allclose(out, faces(16))
    inputs = keras.Input((48, 48, 1))
    model = keras.Model(inputs, FerAugmentation(seed=0)(inputs))
    np.testing.assert_array_equal(model.predict(faces(), verbose=0), faces())


def test_tf_data_ops_warp_as_keras_ops_do():
    # The same draws through keras.ops (the model) and tensorflow_ops() (tf.data): the same images.
    x = faces(8)
    draws = np.random.default_rng(5).uniform(size=(6, 8)).astype("float32")

    def uniform_from(draws):
        rows = iter(draws)
        return lambda low, high: low + (high - low) * next(rows)

    layer = FerAugmentation(seed=0)
    by_keras = np.asarray(layer.augment(x, uniform_from(draws), 0.8))
    by_tf = layer.augment(tf.constant(x), uniform_from(tf.constant(draws)), tf.constant(0.8), ops=tensorflow_ops())
    assert not np.allclose(by_keras, x, atol=1e-3)
    np.testing.assert_allclose(by_tf.numpy(), by_keras, atol=1e-5)


def test_serialises_and_rejects_bad_arguments(tmp_path):
    layer = FerAugmentation(flip=False, rotation=10, zoom=0.2, shift=0.05, seed=4)
    clone = FerAugmentation.from_config(layer.get_config())
    assert (clone.flip, clone.rotation, clone.zoom, clone.shift, clone.seed) == (False, 10.0, 0.2, 0.05, 4)
    inputs = keras.Input((48, 48, 1))
    model = keras.Model(inputs, layer(inputs))
    loaded = run_model_saving_test(model, np.zeros((2, 48, 48, 1), "float32"), tmp_path / "m.keras")
    assert isinstance(loaded.layers[1], FerAugmentation)
    with pytest.raises(ValueError, match=r"rotation=200, expected a number in \[0, 180.0\]"):
        FerAugmentation(rotation=200)
    with pytest.raises(ValueError, match="zoom=1.5"):
        FerAugmentation(zoom=1.5)


def test_photometric_changes_stay_in_range_and_vary_per_image():
    layer = FerAugmentation(flip=False, rotation=0, zoom=0, shift=0, brightness=0.3, contrast=0.3, gamma=0.3,
                            blur=0.8, noise=0.05, seed=3)
    x = np.random.default_rng(0).uniform(0, 255, (16, 48, 48, 1)).astype("float32")
    y = keras.ops.convert_to_numpy(layer(x, training=True))
    assert y.min() >= 0.0 and y.max() <= 255.0 and not np.allclose(y, x, atol=1.0)
    means = y.mean(axis=(1, 2, 3)) - x.mean(axis=(1, 2, 3))
    assert means.std() > 1.0  # one draw per image, not one per batch
    assert np.array_equal(keras.ops.convert_to_numpy(layer(x)), x)  # inference: unchanged
    with pytest.raises(ValueError, match="gamma=3"):
        FerAugmentation(gamma=3)
    with pytest.raises(ValueError, match="value_range"):
        FerAugmentation(value_range=(1, 1))


def test_scale_zooms_both_axes_alike():
    layer = FerAugmentation(flip=False, rotation=0, zoom=0, shift=0, scale=0.2)
    rng = np.random.default_rng(0)
    m = affine_matrices(np, 1000, 48, 48, lambda lo, hi: rng.uniform(lo, hi, 1000), False, 0, 0, 0, layer.scale)
    assert np.allclose(m[:, 0], m[:, 4]) and 0.8 <= m[:, 0].min() and m[:, 0].max() <= 1.2 and m[:, 0].std() > 0.05


def test_erasing_replaces_one_rectangle_per_chosen_image_in_a_model_and_in_tf_data():
    layer = FerAugmentation(flip=False, rotation=0, zoom=0, shift=0, erasing=0.5, seed=5)
    x = np.full((64, 48, 48, 1), 100.0, "float32")
    y = keras.ops.convert_to_numpy(layer(x, training=True))
    changed = (y != x)[..., 0]
    erased = changed.any(axis=(1, 2))
    assert 16 <= erased.sum() <= 48  # about half of the images
    for mask in changed[erased]:
        rows, cols = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
        box = mask[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
        assert box.mean() > 0.97  # one filled rectangle (noise may hit 100 by chance)
        assert 0.005 <= box.size / mask.size <= 0.26
    assert y.min() >= 0 and y.max() <= 255
    clone = FerAugmentation.from_config(layer.get_config())
    assert clone.erasing == 0.5
    with pytest.raises(ValueError, match="erasing=2"):
        FerAugmentation(erasing=2)
    # inside tf.data (tensorflow_ops, shapes unknown until run time)
    ds = tf.data.Dataset.from_tensor_slices(x).batch(64).map(
        lambda b: layer.augment(b, lambda lo, hi, shape=None: tf.random.stateless_uniform(
            tf.shape(b)[:1] if shape is None else shape, [1, 2], lo, hi), ops=tensorflow_ops()))
    y2 = next(iter(ds)).numpy()
    assert 0 < (y2 != x).any(axis=(1, 2, 3)).sum() < 64
