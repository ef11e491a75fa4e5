"""keras_fer.faces.framing: the square crop around a detector's box, per detector."""

import numpy as np
import pytest

from keras_fer.faces.framing import FRAMINGS, Framing, crop_faces, framing_for


def gradient(h=100, w=80):
    return (np.arange(h * w) % 251).astype(np.uint8).reshape(h, w)


def test_scale_one_is_the_box_itself_pixel_for_pixel():
    g = gradient()
    np.testing.assert_array_equal(crop_faces(g, [(10, 20, 48, 48)], Framing(1.0))[0, :, :, 0], g[20:68, 10:58])


def test_scale_and_shift_move_the_square():
    g = gradient(200, 200)
    # a 24 px box at scale 2.0 is the 48 px square around its centre
    np.testing.assert_array_equal(crop_faces(g, [(62, 62, 24, 24)], Framing(2.0))[0, :, :, 0], g[50:98, 50:98])
    # dy=+0.25 of a 48 px box: 12 px lower
    np.testing.assert_array_equal(crop_faces(g, [(50, 50, 48, 48)], Framing(1.0, dy=0.25))[0, :, :, 0],
                                  g[62:110, 50:98])


def test_outside_the_image_the_edge_is_repeated_not_stretched():
    g = gradient()
    crop = crop_faces(g, [(-10, 0, 48, 48)], Framing(1.0))[0, :, :, 0]
    np.testing.assert_array_equal(crop[:, :10], np.repeat(g[:48, :1], 10, axis=1))  # the left edge, repeated
    np.testing.assert_array_equal(crop[:, 10:], g[:48, :38])  # the rest where it is, at full scale


def test_each_detector_has_a_framing_and_bad_values_are_refused():
    assert set(FRAMINGS) >= {"haar", "mtcnn"}
    assert framing_for("mtcnn", 1.3).scale == 1.3 and framing_for("mtcnn", 1.3).dy == FRAMINGS["mtcnn"].dy
    with pytest.raises(ValueError, match="crop scale -0.9"):
        Framing(-0.9)
    with pytest.raises(ValueError, match="crop scale 50"):
        framing_for("haar", 50)
