"""benchmarks/shift_tta.py: the views of a face and the scores of their averages."""

import pathlib
import sys

import numpy as np
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))
shift_tta = pytest.importorskip("shift_tta")


def test_shifts_move_the_face_and_replicate_the_edge():
    x = np.arange(5 * 5, dtype="float32").reshape(1, 5, 5, 1)
    down = shift_tta.shifted(x, 2, 0)
    np.testing.assert_array_equal(down[0, 2:], x[0, :3])  # row r lands at r + 2
    np.testing.assert_array_equal(down[0, 0], x[0, 0])  # the top edge fills the gap
    left = shift_tta.shifted(x, 0, -1)
    np.testing.assert_array_equal(left[0, :, :4], x[0, :, 1:])
    np.testing.assert_array_equal(left[0, :, 4], x[0, :, 4])


def test_views_pair_each_view_with_its_mirror_and_zoom_matches_the_model_layer():
    from keras_fer.models.tta import CentreZoom

    x = np.random.default_rng(0).uniform(0, 255, (2, 48, 48, 1)).astype("float32")
    views = shift_tta.views(x, 2)
    assert set(views) == {n + m for n in ("id", "up", "down", "left", "right", "zoom") for m in ("", "~")}
    np.testing.assert_array_equal(views["up~"], views["up"][:, :, ::-1])
    np.testing.assert_allclose(views["zoom"], np.asarray(CentreZoom(2)(x)), atol=2e-3)
    assert all(set(members) <= set(views) for members in shift_tta.VIEW_SETS.values())


def test_score_averages_the_named_views():
    y = np.array([0, 1])
    probs = {"id": np.array([[0.6, 0.4], [0.6, 0.4]]), "id~": np.array([[0.6, 0.4], [0.0, 1.0]])}
    scores = shift_tta.score(probs, y, {"plain": ["id"], "mirror": ["id", "id~"]})
    assert scores == {"plain": 0.5, "mirror": 1.0}
