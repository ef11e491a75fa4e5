"""keras_fer.training.teacher: soft targets from the bundled model, found again after shuffling and kept
through augmentation; a run with `distill` learns the teacher's targets."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

from keras_fer.errors import ConfigError
from keras_fer.training import teacher


def test_soft_targets_mix_the_teacher_with_the_label():
    probs = np.array([[0.5, 0.5, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 1.0]], "float32")
    t = teacher.soft_targets(probs, np.array([1, 3]), 0.6)
    np.testing.assert_allclose(t[0], [0.3, 0.7, 0, 0, 0, 0, 0], atol=1e-6)
    np.testing.assert_allclose(t[1], [0, 0, 0, 0.4, 0, 0, 0.6], atol=1e-6)
    for bad in (0.0, 1.5):
        with pytest.raises(ConfigError, match="distill="):
            teacher.soft_targets(probs, np.array([1, 3]), bad)


def test_target_map_finds_each_image_after_shuffling():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (50, 48, 48, 1), dtype=np.uint8)
    y = rng.integers(0, 7, 50)
    probs = rng.dirichlet(np.ones(7), 50).astype("float32")
    apply = teacher.target_map(x, probs, 0.7)
    order = rng.permutation(50)[:16]
    got = apply(tf.constant(x[order]), tf.constant(y[order]))
    np.testing.assert_allclose(got.numpy(), teacher.soft_targets(probs[order], y[order], 0.7), atol=1e-6)
    stranger = x[:2].copy()
    stranger[0, 0, 0, 0] ^= 1  # one pixel off: not an image the teacher saw
    with pytest.raises(tf.errors.InvalidArgumentError, match="teacher was not run on"):
        apply(tf.constant(stranger), tf.constant(y[:2]))


def test_load_keeps_each_images_target_through_augmentation(fer_dir):
    from keras_fer import data as fer_data

    x, y = fer_data.arrays("train", manual_dir=fer_dir)
    probs = np.random.default_rng(1).dirichlet(np.ones(7), len(x)).astype("float32")
    apply = teacher.target_map(x, probs, 0.5)

    def targets(augment):
        ds = fer_data.load("train", manual_dir=fer_dir, batch_size=16, seed=3, normalize="none", augment=augment,
                           label_map=apply)
        return [(np.asarray(a), np.asarray(t)) for a, t in ds]

    plain, augmented = targets(False), targets(True)
    assert plain[0][1].dtype == np.float32 and plain[0][1].shape == (16, 7)
    index = {img.tobytes(): i for i, img in enumerate(x)}
    for (xp, tp), (xa, ta) in zip(plain, augmented):
        rows = [index[img.astype(np.uint8).tobytes()] for img in xp]
        np.testing.assert_allclose(tp, teacher.soft_targets(probs[rows], y[rows], 0.5), atol=1e-6)
        np.testing.assert_array_equal(tp, ta)  # the same images in the same order, whatever augmentation did
        assert not np.array_equal(xp, xa)
    every = np.concatenate([t for _, t in plain])
    np.testing.assert_allclose(np.sort(every.sum(1)), np.ones(len(x)), atol=1e-5)


@pytest.mark.slow(seconds=8)
@pytest.mark.parametrize("tf_data, classes", [(True, (2, 4)), (False, (3,))], ids=["tf.data", "arrays"])
def test_a_distilled_run_learns_the_teachers_targets(fer_dir, tmp_path, monkeypatch, tf_data, classes):
    """A teacher that calls every face by one class, at weight 1: the model learns to say that class whatever
    the labels are (on tf.data for either of two classes)."""
    from keras_fer.recipes import get_recipe
    from keras_fer.training import TrainConfig, inputs, train

    monkeypatch.setattr(inputs, "use_tf_data", lambda: tf_data)
    for cls in classes:
        monkeypatch.setattr(teacher, "teacher_probabilities",
                            lambda images, cls=cls: np.eye(7, dtype="float32")[[cls] * len(images)])
        recipe = dataclasses.replace(get_recipe("seed"), name=f"class{cls}", learning_rate=3e-3, distill=1.0)
        config = TrainConfig(model="dnn", data=str(fer_dir), epochs=3, batch_size=16, val_split="public_test")
        train(config, tmp_path / f"class{cls}", verbose=0, recipe=recipe)
        # training accuracy is measured against the targets' argmax: the teacher's class
        assert pd.read_csv(tmp_path / f"class{cls}" / "history.csv")["accuracy"].iloc[-1] > 0.75


@pytest.mark.parametrize("tf_data", [True, False], ids=["tf.data", "arrays"])
def test_without_distill_the_teacher_is_never_asked(fer_dir, monkeypatch, tf_data):
    from keras_fer.recipes import get_recipe
    from keras_fer.training import TrainConfig, inputs

    def refuse(images):
        raise AssertionError("the teacher was asked")

    monkeypatch.setattr(teacher, "teacher_probabilities", refuse)
    monkeypatch.setattr(inputs, "use_tf_data", lambda: tf_data)
    data = inputs.prepare_inputs(TrainConfig(model="dnn", data=str(fer_dir), epochs=1, val_split="public_test"),
                                 get_recipe("robust"), fer_dir, 16)
    x, y = next(iter(data.fit_from(0))) if tf_data else data.fit_from(0)[0]
    assert np.asarray(y).shape == (16, 7)  # robust's label smoothing: one-hot targets, from the labels alone
