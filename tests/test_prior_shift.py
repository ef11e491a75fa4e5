"""benchmarks/prior_shift.py: the label-shift decision and its scores."""

import pathlib
import sys

import numpy as np
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))
prior_shift = pytest.importorskip("prior_shift")


def test_tau_zero_is_the_model_and_tau_one_divides_by_the_prior():
    probs = np.array([[0.6, 0.3, 0.1], [0.5, 0.1, 0.4], [0.2, 0.7, 0.1]])
    prior = np.array([0.7, 0.2, 0.1])
    assert prior_shift.shifted_labels(probs, prior, 0.0).tolist() == [0, 0, 1]
    assert prior_shift.shifted_labels(probs, prior, 1.0).tolist() == [1, 2, 1]


def test_scores_count_a_missing_face_as_wrong_and_average_recall_per_class():
    y = np.array([0, 0, 0, 1])
    probs = np.array([[0.9, 0.1], [0.8, 0.2], [np.nan, np.nan], [0.6, 0.4]])
    table = prior_shift.scores(y, probs, [0.5, 0.5], taus=[0.0])
    assert table["accuracy"].tolist() == [0.5]  # the face-less row is wrong, the class-1 row too
    assert table["balanced accuracy"].tolist() == [pytest.approx((2 / 3 + 0) / 2)]
    # divided by the prior (0.85, 0.15): the second face and the class-1 face turn to class 1
    shifted = prior_shift.scores(y, probs, [0.85, 0.15], taus=[1.0])
    assert shifted["accuracy"].tolist() == [0.5]
    assert shifted["balanced accuracy"].tolist() == [pytest.approx((1 / 3 + 1) / 2)]
