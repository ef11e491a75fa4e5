"""The parameter-budget solver behind `FerDNN(param_budget=...)`: exact widths for any budget."""

from __future__ import annotations

from keras_fer.errors import ConfigError

import math
from typing import NamedTuple, Sequence, Tuple

import numpy as np

#: The course report's DNN widths (24*24*2, 12*12*3, 6*6*5, 3*3*10, 44): the proportions to keep.
SEED_DNN_WIDTHS: Tuple[int, ...] = (1152, 432, 180, 90, 44)


class WidthSolution(NamedTuple):
    """Widths of the five hidden Dense layers and the parameter count they give."""

    widths: Tuple[int, int, int, int, int]
    params: int


def check_shape(input_shape, num_classes) -> Tuple[Tuple[int, int, int], int]:
    """Validates `(H, W, C)` with H, W >= 16 and `num_classes >= 2`; returns them as ints."""
    shape = tuple(input_shape) if isinstance(input_shape, (tuple, list)) else None
    if (
        shape is None
        or len(shape) != 3
        or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in shape)
        or shape[0] < 16
        or shape[1] < 16
        or shape[2] < 1
    ):
        raise ConfigError(
            f"input_shape={input_shape!r}: expected (height, width, channels) of integers with "
            "height and width >= 16 and channels >= 1, e.g. (48, 48, 1)"
        )
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ConfigError(f"num_classes={num_classes!r}: expected an integer >= 2")
    return tuple(int(v) for v in shape), int(num_classes)


def dnn_param_count(widths: Sequence[int], input_shape=(48, 48, 1), num_classes: int = 7) -> int:
    """Parameters of `FerDNN` with the given widths (closed form of its layer table).

    Example:
        >>> dnn_param_count(SEED_DNN_WIDTHS)
        3258363
    """
    (h, w, c), k = check_shape(input_shape, num_classes)
    w1, w2, w3, w4, w5 = (int(v) for v in widths)
    d = h * w * c
    return (
        4 * c  # input BatchNormalization
        + (d + 1) * w1  # Dense with bias
        + 4 * w1 + w1 * w2  # BN, Dense without bias
        + 4 * w2 + w2 * w3
        + 4 * w3 + w3 * w4
        + (w4 + 1) * w5  # Dense with bias
        + (w5 + 1) * k  # softmax output
    )


def _continuous_count(s, d, c, k, p):
    t = [s * v for v in p]
    return 4 * c + (d + 5) * t[0] + t[0] * t[1] + 4 * t[1] + t[1] * t[2] + 4 * t[2] + t[2] * t[3] + (t[3] + 1) * t[4] + (t[4] + 1) * k


def _axis(centre: float, half: int) -> np.ndarray:
    low = max(1, int(round(centre)) - half)
    return np.arange(low, max(low, int(round(centre)) + half) + 1, dtype=np.int64)


def solve_widths(
    budget: int,
    input_shape=(48, 48, 1),
    num_classes: int = 7,
    proportions: Sequence[float] = SEED_DNN_WIDTHS,
) -> WidthSolution:
    """Finds FerDNN widths whose parameter count equals `budget` exactly, closest to `proportions`.

    The widths are `s * proportions` for the scale `s` that meets the budget, then moved by the
    smallest steps (in log-ratio) that make the count exact: four widths are searched on a grid
    and the fourth hidden width is solved for.

    Args:
        budget: the exact parameter count wanted (a positive integer).
        input_shape: `(H, W, C)` of the images.
        num_classes: number of output classes.
        proportions: five relative widths to keep (the course report's by default).

    Returns:
        `WidthSolution(widths, params)` with `params == budget`.

    Raises:
        ValueError: a budget that is not a positive integer, below the smallest network of this
            topology (all widths 1), or (rare, only for tiny budgets) with no exact solution.

    Example:
        >>> solve_widths(3_258_363)          # the course report's own DNN
        WidthSolution(widths=(1152, 432, 180, 90, 44), params=3258363)
        >>> solve_widths(3_258_379).params   # FerCNN's count, exactly
        3258379
    """
    if isinstance(budget, bool) or not isinstance(budget, (int, np.integer)) or budget <= 0:
        raise ConfigError(f"param_budget={budget!r}: expected a positive integer")
    (h, w, c), k = check_shape(input_shape, num_classes)
    p = [float(v) for v in proportions]
    if len(p) != 5 or min(p) <= 0:
        raise ConfigError(f"proportions={proportions!r}: expected five positive numbers")
    d = h * w * c
    smallest = dnn_param_count((1, 1, 1, 1, 1), (h, w, c), k)
    if budget < smallest:
        raise ConfigError(
            f"param_budget={budget:,} is below the smallest FerDNN for input {(h, w, c)} and "
            f"{k} classes ({smallest:,} parameters, every hidden width 1)"
        )
    lo, hi = 0.0, 1.0
    while _continuous_count(hi, d, c, k, p) < budget:
        hi *= 2
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _continuous_count(mid, d, c, k, p) < budget else (lo, mid)
    t = [max(hi * v, 1.0) for v in p]

    # How far each width must be able to move to absorb one step of the width before it.
    step = [d + 5 + t[1], t[0] + 4 + t[2], t[1] + 4 + t[3], t[2] + t[4], t[3] + 1 + k]
    half = [1, math.ceil(step[0] / step[1]) + 6, math.ceil(step[1] / step[2]) + 15, 0, 15]
    log_t = np.log(t)
    for _ in range(6):
        w1, w2, w3, w5 = np.meshgrid(
            _axis(t[0], half[0]), _axis(t[1], half[1]), _axis(t[2], half[2]), _axis(t[4], half[4]),
            indexing="ij",
        )
        w1, w2, w3, w5 = (a.ravel() for a in (w1, w2, w3, w5))
        rest = budget - (
            4 * c + (d + 5) * w1 + w1 * w2 + 4 * w2 + w2 * w3 + 4 * w3 + w5 + (w5 + 1) * k
        )
        divisor = w3 + w5
        ok = (rest > 0) & (rest % divisor == 0)
        if ok.any():
            w4 = rest[ok] // divisor[ok]
            cand = np.stack([w1[ok], w2[ok], w3[ok], w4, w5[ok]], axis=1)
            cost = ((np.log(cand) - log_t) ** 2).sum(axis=1)
            best = tuple(int(v) for v in cand[int(np.argmin(cost))])
            count = dnn_param_count(best, (h, w, c), k)
            assert count == budget, (best, count, budget)
            return WidthSolution(best, count)
        half = [v * 2 + 1 for v in half]
    raise ConfigError(
        f"param_budget={budget:,}: no FerDNN widths give exactly this count near the proportions "
        f"{tuple(proportions)}; try a budget of at least 100,000"
    )
