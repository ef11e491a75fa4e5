"""keras_fer.models.budget: the solver is exact over the whole range and refuses what it cannot do."""

import numpy as np
import pytest

from keras_fer.models import FerDNN, SEED_DNN_WIDTHS, dnn_param_count, solve_widths


def test_closed_form_matches_keras_for_the_seed_and_other_widths():
    assert dnn_param_count(SEED_DNN_WIDTHS) == 3_258_363 == FerDNN().count_params()
    for widths in [(10, 9, 8, 7, 6), (300, 1, 50, 2, 3)]:
        assert dnn_param_count(widths) == FerDNN(widths=widths).count_params()
    assert dnn_param_count((20, 10, 5, 4, 3), (32, 32, 3), 10) == FerDNN(
        widths=(20, 10, 5, 4, 3), input_shape=(32, 32, 3), num_classes=10).count_params()


def test_exact_over_400_budgets_and_every_integer_in_a_window():
    budgets = np.unique(np.geomspace(100_000, 20_000_000, 400).astype(int)).tolist()
    budgets += list(range(3_258_000, 3_259_000))  # every integer in one window of 1,000
    for budget in budgets:
        widths, params = solve_widths(budget)
        assert params == budget == dnn_param_count(widths), budget
        assert min(widths) >= 1


def test_widths_keep_the_seed_proportions():
    widths, _ = solve_widths(3_258_379)
    ratios = np.array(widths) / np.array(SEED_DNN_WIDTHS)
    assert np.all(np.abs(ratios - 1) < 0.06)
    widths, _ = solve_widths(13_000_000)
    ratios = np.array(widths) / np.array(SEED_DNN_WIDTHS)
    assert ratios.max() / ratios.min() < 1.1  # one common scale, about 2x


def test_other_shapes_and_classes():
    widths, params = solve_widths(1_000_003, input_shape=(64, 64, 3), num_classes=10)
    assert params == 1_000_003 == dnn_param_count(widths, (64, 64, 3), 10)


@pytest.mark.parametrize("budget", [0, -5, 2.5, "100000", True, None])
def test_budget_must_be_a_positive_integer(budget):
    with pytest.raises(ValueError, match="expected a positive integer"):
        solve_widths(budget)


def test_below_the_smallest_network():
    smallest = dnn_param_count((1, 1, 1, 1, 1))
    with pytest.raises(ValueError, match=f"below the smallest FerDNN .*{smallest:,} parameters"):
        solve_widths(smallest - 1)
    assert solve_widths(smallest).widths == (1, 1, 1, 1, 1)
