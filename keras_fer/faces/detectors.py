"""Face detectors whose models ship inside pip wheels: OpenCV's Haar cascade and the `mtcnn` package."""

from __future__ import annotations

import pathlib

import numpy as np

from keras_fer.faces.errors import DetectError

DETECTORS = ("haar", "mtcnn")
#: Photos longer than this are searched for faces on a copy scaled down to it (a 6000 px photo gave Haar
#: 8 boxes, 7 of them false, in 24 s); the faces are still cropped from the full-size photo.
DETECT_MAX_SIDE = 1600
#: Haar looks for faces at least 1/MIN_FACE_FRACTION of the photo's shorter side (and 24 px).
MIN_FACE_FRACTION = 25
#: A face that fills its photo (a tight crop) leaves the cascade no margin to see it: where the photo
#: shows no face, Haar searches it again inside a black border of this fraction of its longer side on
#: each side (as `fer` always pads). On 921 wild photos this found 91% of faces instead of 69%
#: (docs/results.md); the box may then reach past the photo's edges.
PAD_FRACTION = 0.25
#: The cascade knows upright faces: where the bordered photo shows none either, Haar searches it again
#: turned by each of these angles (degrees) and keeps the one face it is surest of (most neighbouring
#: detections, at least TURNED_MIN_NEIGHBORS), boxed upright around its centre turned back. A photo
#: without a face costs four searches instead of two.
ROTATIONS = (20, -20)
#: Turned searches of 13 faceless scikit-image pictures (coffee, a cat, the moon, ...) found "faces" with
#: up to 23 neighbouring detections; a tilted face is accepted from 24 (docs/results.md).
TURNED_MIN_NEIGHBORS = 24
#: Faces turned sideways: where the turned searches find none either, OpenCV's profile cascade searches
#: the bordered photo as it is and mirrored (the cascade knows faces looking one way) and keeps the
#: surest face. On 20 faceless scikit-image pictures (coffee, a cat, the moon, coins, ...) its false faces
#: had at most 6 neighbouring detections (the moon): accepted from 7. A faceless 640x480 frame then costs
#: about 0.68 s instead of 0.38 s (docs/results.md).
PROFILE_MIN_NEIGHBORS = 7


class HaarDetector:
    """OpenCV's frontal-face Haar cascade (and its profile cascade for faces turned away), from the
    `opencv-python-headless` wheel (`cv2.data`)."""

    name = "haar"

    def __init__(self, scale_factor: float = 1.1, min_neighbors: int = 5, min_size: int = 24,
                 pad_fraction: float = PAD_FRACTION, rotations=ROTATIONS, profile: bool = True):
        self.cascade = _cascade("haarcascade_frontalface_default.xml")
        self.profile_cascade = _cascade("haarcascade_profileface.xml") if profile else None
        self.scale_factor, self.min_neighbors, self.min_size = scale_factor, min_neighbors, min_size
        self.pad_fraction, self.rotations = float(pad_fraction), tuple(rotations)

    def _search(self, gray: np.ndarray, cascade=None):
        """Boxes `[N, 4]` of `gray` and each box's count of neighbouring detections `[N]`."""
        import cv2

        gray = cv2.equalizeHist(gray)
        side = max(self.min_size, min(gray.shape[:2]) // MIN_FACE_FRACTION)  # texture is no face
        boxes, counts = (cascade or self.cascade).detectMultiScale2(
            gray, scaleFactor=self.scale_factor, minNeighbors=self.min_neighbors, minSize=(side, side))
        return np.asarray(boxes, dtype=np.int64).reshape(-1, 4), np.asarray(counts, dtype=np.int64).reshape(-1)

    def bordered(self, gray: np.ndarray):
        """`(gray inside a black border of pad_fraction x its longer side, the border's width)`."""
        import cv2

        pad = int(round(self.pad_fraction * max(gray.shape[:2])))
        return cv2.copyMakeBorder(gray, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0), pad

    def __call__(self, bgr: np.ndarray) -> np.ndarray:
        import cv2

        gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
        boxes, _ = self._search(gray)
        if len(boxes):
            return boxes
        if not self.pad_fraction:
            return self._search_profile(gray) if self.profile_cascade is not None else boxes
        bordered, pad = self.bordered(gray)
        boxes, _ = self._search(bordered)
        if not len(boxes) and self.rotations:
            boxes = self._search_turned(bordered)
        if not len(boxes) and self.profile_cascade is not None:
            boxes = self._search_profile(bordered)
        return boxes - np.array([pad, pad, 0, 0], dtype=np.int64)

    def _search_turned(self, gray: np.ndarray) -> np.ndarray:
        """The surest face of `gray` turned by each of `self.rotations` (about its centre), as an upright
        box in `gray`; none unless it has `TURNED_MIN_NEIGHBORS` neighbouring detections."""
        import cv2

        height, width = gray.shape[:2]
        best, most = np.zeros((0, 4), np.int64), TURNED_MIN_NEIGHBORS - 1
        for angle in self.rotations:
            turn = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
            boxes, counts = self._search(cv2.warpAffine(gray, turn, (width, height)))
            if len(boxes) and counts.max() > most:
                box, most = boxes[np.argmax(counts)], counts.max()
                back = cv2.invertAffineTransform(turn)
                centre = (box[:2] + box[2:] / 2) @ back[:, :2].T + back[:, 2]
                best = np.concatenate([np.round(centre - box[2:] / 2), box[2:]])[None].astype(np.int64)
        return best

    def _search_profile(self, gray: np.ndarray) -> np.ndarray:
        """The surest face of the profile cascade in `gray` or its mirror image, as a box in `gray`; none
        unless it has `PROFILE_MIN_NEIGHBORS` neighbouring detections."""
        width = gray.shape[1]
        best, most = np.zeros((0, 4), np.int64), PROFILE_MIN_NEIGHBORS - 1
        for mirrored in (False, True):
            boxes, counts = self._search(np.ascontiguousarray(gray[:, ::-1]) if mirrored else gray,
                                         self.profile_cascade)
            if len(counts) and counts.max() > most:
                best, most = boxes[[np.argmax(counts)]].copy(), counts.max()
                if mirrored:
                    best[:, 0] = width - best[:, 0] - best[:, 2]
        return best


def _cascade(name: str):
    """One of the Haar cascades in the `opencv-python-headless` wheel (`cv2.data`)."""
    import cv2

    path = pathlib.Path(cv2.data.haarcascades) / name
    cascade = cv2.CascadeClassifier(str(path))
    if cascade.empty():
        raise DetectError(f"{path}: OpenCV could not load its own Haar cascade")
    return cascade


class MtcnnDetector:
    """The `mtcnn` package's detector (its weights ship in its wheel): `pip install "keras-fer[mtcnn]"`."""

    name = "mtcnn"

    def __init__(self, min_confidence: float = 0.9):
        try:
            from mtcnn import MTCNN
        except ImportError as err:
            raise DetectError('--detector mtcnn needs the mtcnn package: pip install "keras-fer[mtcnn]"') from err
        self.model, self.min_confidence = MTCNN(), min_confidence

    def __call__(self, bgr: np.ndarray) -> np.ndarray:
        faces = self.model.detect_faces(np.ascontiguousarray(bgr[:, :, ::-1]))
        boxes = [f["box"] for f in faces if f.get("confidence", 1.0) >= self.min_confidence]
        return np.asarray(boxes, dtype=np.int64).reshape(-1, 4)


def make_detector(name: str):
    """A face detector by name ("haar" or "mtcnn"): a callable from a BGR image to `[N, 4]` x, y, w, h."""
    if name == "haar":
        return HaarDetector()
    if name == "mtcnn":
        return MtcnnDetector()
    raise DetectError(f"detector={name!r}: expected one of {DETECTORS}")


