"""`EmotionDetector`: faces and their emotions in images, from Python."""

from __future__ import annotations

import copy
from typing import Iterable, List, Optional

import numpy as np

from keras_fer.faces.detectors import DETECT_MAX_SIDE, make_detector
from keras_fer.faces.framing import crop_faces, framing_for
from keras_fer.faces.reading import as_bgr
from tfds_fer2013 import CLASS_NAMES

DEFAULT_TTA = "mirror"


class EmotionDetector:
    """Faces and their emotions in images, from Python.

    Args:
        model: a Keras model from 48x48x1 raw pixels to seven probabilities; default: the bundled
            pretrained model (`keras_fer.load_pretrained()`: `keras_fer.pretrained.DEFAULT_MODEL`).
        detector: "haar" (OpenCV) or "mtcnn".
        crop_scale: side of the square face crop / the detector box's longer side; default: the
            detector's calibrated framing (`keras_fer.faces.FRAMINGS`).
        batch_size: faces per `predict` call in `detect_many`.
        tta: the views each face's probabilities are averaged over (`keras_fer.models.with_tta`):
            "mirror" (the face and its mirror, `keras_fer.flip_tta`: twice the classification work), "zoom"
            (also the face's centre enlarged, `keras_fer.zoom_tta`: four times), "none"; True means
            "mirror", False "none" (docs/results.md measures each).

    Example:
        >>> from keras_fer import EmotionDetector                                  # doctest: +SKIP
        >>> EmotionDetector().detect("photo.jpg")                                 # doctest: +SKIP
        [{'box': (177, 67, 93, 93), 'label': 'happy', 'confidence': 0.97, 'probabilities': {...}}]
    """

    def __init__(self, model=None, detector: str = "haar", crop_scale: Optional[float] = None, batch_size: int = 64,
                 tta=DEFAULT_TTA):
        self.framing = framing_for(detector, crop_scale)  # bad values fail before anything is loaded
        self.detector_name = detector
        self.find_faces = make_detector(detector)  # an unknown name fails before a model is loaded
        if model is None:
            from keras_fer.pretrained import load_pretrained

            model = load_pretrained()
        from keras_fer.models.tta import with_tta

        model = with_tta(model, tta)
        self.model, self.batch_size = model, batch_size

    def for_thread(self) -> "EmotionDetector":
        """A copy that shares the model but has a face finder of its own: OpenCV's cascades are not
        meant to be called from two threads at once (`keras-fer serve` gives each worker thread one)."""
        twin = copy.copy(self)
        twin.find_faces = make_detector(self.detector_name)
        return twin

    def faces(self, image, channels: str = "rgb"):
        """`(boxes [N, 4] x, y, w, h, crops uint8 [N, 48, 48, 1])` of one image."""
        import cv2

        bgr = as_bgr(image, channels)
        boxes = self.find_faces(bgr) if max(bgr.shape[:2]) <= DETECT_MAX_SIDE else self._find_faces_scaled(bgr)
        return boxes, crop_faces(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), boxes, self.framing)

    def _find_faces_scaled(self, bgr):
        """Faces found on a copy at most `DETECT_MAX_SIDE` pixels long, boxes mapped back to `bgr`."""
        import cv2

        factor = DETECT_MAX_SIDE / max(bgr.shape[:2])
        small = cv2.resize(bgr, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        return np.round(np.asarray(self.find_faces(small), np.float64) / factor).astype(np.int64).reshape(-1, 4)

    def detect(self, image, channels: str = "rgb") -> List[dict]:
        """The faces of one image (a path, a PIL image or a numpy array): a list of
        `{"box", "label", "confidence", "probabilities"}`, empty when there is no face."""
        return self.detect_many([image], channels)[0]

    def detect_many(self, images: Iterable, channels: str = "rgb") -> List[List[dict]]:
        """`detect` for many images, their faces classified `batch_size` at a time."""
        found = [self.faces(image, channels) for image in images]
        crops = [c for _, c in found if len(c)]
        probs = self.classify(np.concatenate(crops)) if crops else np.zeros((0, len(CLASS_NAMES)))
        out, start = [], 0
        for boxes, _ in found:
            out.append(face_records(boxes, probs[start:start + len(boxes)]))
            start += len(boxes)
        return out

    def classify(self, crops: np.ndarray) -> np.ndarray:
        """Probabilities `[N, 7]` of 48x48 face crops, `batch_size` per `predict_on_batch` call."""
        x = np.asarray(crops, np.float32)
        return np.concatenate([np.asarray(self.model.predict_on_batch(x[i:i + self.batch_size]), np.float32)
                               for i in range(0, len(x), self.batch_size)])


def face_records(boxes, probabilities) -> List[dict]:
    """One `{"box", "label", "confidence", "probabilities"}` per face, from boxes `[N, 4]` and
    probabilities `[N, 7]`.

    Example:
        >>> face_records([(1, 2, 30, 30)], [[0, 0, 0, 0.9, 0, 0, 0.1]])[0]["label"]
        'happy'
    """
    return [{"box": tuple(int(v) for v in b), "label": CLASS_NAMES[int(np.argmax(q))],
             "confidence": float(np.max(q)), "probabilities": dict(zip(CLASS_NAMES, map(float, q)))}
            for b, q in zip(np.asarray(boxes).reshape(-1, 4), np.asarray(probabilities, np.float64))]
