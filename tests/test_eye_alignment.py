"""benchmarks/eye_alignment.py: the turn that levels two eye points."""

import pathlib
import sys

import numpy as np
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))
eye_alignment = pytest.importorskip("eye_alignment")


@pytest.mark.parametrize("drop", [-12, 0, 9])
def test_two_bright_eyes_come_out_level_and_in_place(drop):
    grey = np.zeros((120, 160), np.uint8)
    left, right = (60, 50), (100, 50 + drop)  # x, y
    for x, y in (left, right):
        grey[y - 2:y + 3, x - 2:x + 3] = 255
    box = (40, 20, 80, 80)
    turned = eye_alignment.level_eyes(grey, box, left, right)
    spots = []
    for half in (turned[:, :80], turned[:, 80:]):
        ys, xs = np.nonzero(half > 128)
        spots.append((ys.mean(), xs.mean()))
    assert abs(spots[0][0] - spots[1][0]) < 1.0  # level
    centre_y = box[1] + box[3] / 2
    # turned about the box's centre: the eyes' midpoint keeps its distance from it
    assert abs((spots[0][0] + spots[1][0]) / 2 - centre_y) == pytest.approx(abs(50 + drop / 2 - centre_y), abs=1.5)
