"""Emotions of the faces in ordinary photos, folders and videos (what `keras-fer detect` does).

The pieces live in `keras_fer.faces` (reading, detectors, framing, tracking, drawing, `EmotionDetector`,
the job); this module gathers what users import.

Faces are found by a detector whose model ships inside a pip wheel (no download): OpenCV's Haar
cascade (`"haar"`, the default, fast) or the `mtcnn` package (`"mtcnn"`, optional extra). Each face is
cropped square as FER2013 frames its faces (`keras_fer.faces.framing`, calibrated per detector), turned
grey and resized to 48x48 with area averaging, then classified in batches (one `predict_on_batch` per
`batch_size` faces, never one per face).

Example:
    >>> import numpy as np
    >>> from keras_fer.detect import crop_faces
    >>> crop_faces(np.zeros((100, 80), "uint8"), [(10, 20, 40, 40)]).shape
    (1, 48, 48, 1)
    >>> from keras_fer.detect import detect                                    # doctest: +SKIP
    >>> detect(["photo.jpg", "clips/"], out="detections")                     # doctest: +SKIP
"""

from keras_fer.faces.detectors import DETECT_MAX_SIDE, DETECTORS, HaarDetector, MtcnnDetector, make_detector  # noqa: F401
from keras_fer.faces.drawing import annotate  # noqa: F401
from keras_fer.faces.emotion_detector import DEFAULT_TTA, EmotionDetector  # noqa: F401
from keras_fer.faces.errors import DetectError  # noqa: F401
from keras_fer.faces.framing import FRAMINGS, Framing, crop_faces  # noqa: F401
from keras_fer.faces.job import COLUMNS, detect  # noqa: F401
from keras_fer.faces.reading import IMAGE_SUFFIXES, VIDEO_SUFFIXES, as_bgr, expand_inputs, read_image, to_bgr8  # noqa: F401
from keras_fer.views import TTA_MODES  # noqa: F401
