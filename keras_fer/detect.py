"""Emotions of the faces in ordinary photos, folders and videos (what `keras-fer detect` does).

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

from __future__ import annotations

import dataclasses
import pathlib
import sys
from typing import Iterable, List, Optional, Sequence

import numpy as np

from keras_fer.faces.framing import crop_faces, framing_for  # noqa: F401  (crop_faces: part of this API)
from tfds_fer2013 import CLASS_NAMES
from tfds_fer2013.readers import IMAGE_SUFFIXES  # one list for the whole package

VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv")
DETECTORS = ("haar", "mtcnn")
#: Photos longer than this are searched for faces on a copy scaled down to it (a 6000 px photo gave Haar
#: 8 boxes, 7 of them false, in 24 s); the faces are still cropped from the full-size photo.
DETECT_MAX_SIDE = 1600
#: Haar looks for faces at least 1/MIN_FACE_FRACTION of the photo's shorter side (and 24 px).
MIN_FACE_FRACTION = 25
COLUMNS = ["source", "frame", "track", "x", "y", "w", "h", "label", "confidence"] + [f"p_{c}" for c in CLASS_NAMES]


class DetectError(RuntimeError):
    """Bad arguments to `detect` (no inputs, an unknown detector, a missing extra)."""


# -- reading ------------------------------------------------------------------------------------------

def to_bgr8(image: np.ndarray) -> np.ndarray:
    """Any image OpenCV reads (grey, BGR, BGRA; 8 or 16 bits; float) as 8-bit BGR."""
    import cv2

    x = np.asarray(image)
    if x.dtype == np.uint16:
        x = (x // 257).astype(np.uint8)
    elif x.dtype != np.uint8:
        x = np.clip(x.astype(np.float64) * (255.0 if x.max() <= 1.0 else 1.0), 0, 255).astype(np.uint8)
    if x.ndim == 2:
        return cv2.cvtColor(x, cv2.COLOR_GRAY2BGR)
    if x.shape[2] == 1:
        return cv2.cvtColor(x[:, :, 0], cv2.COLOR_GRAY2BGR)
    if x.shape[2] == 4:
        return cv2.cvtColor(x, cv2.COLOR_BGRA2BGR)
    return x


def read_image(path) -> np.ndarray:
    """An image file as 8-bit BGR, turned upright by its EXIF orientation (as phones save portraits);
    raises `ValueError` naming the file when it cannot be read."""
    import cv2

    try:
        data = np.fromfile(str(path), dtype=np.uint8)  # also works for non-ASCII paths
    except OSError as err:
        raise ValueError(f"{path}: cannot be read ({err.strerror or err})") from None
    if not data.size:
        raise ValueError(f"{path}: an empty file, not an image")
    try:
        image = cv2.imdecode(data, cv2.IMREAD_COLOR)  # IMREAD_COLOR applies the EXIF orientation
    except cv2.error:
        image = None
    if image is None:
        raise ValueError(f"{path}: not an image OpenCV can decode")
    return image


def expand_inputs(inputs: Sequence) -> List[pathlib.Path]:
    """Files named, and the image and video files under folders named (recursively, sorted)."""
    files = []
    for item in inputs:
        path = pathlib.Path(item)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file()
                            and p.suffix.lower() in IMAGE_SUFFIXES + VIDEO_SUFFIXES)
        elif path.is_file():
            files.append(path)
        else:
            raise DetectError(f"{path}: no such file or folder")
    return files


# -- faces --------------------------------------------------------------------------------------------

class HaarDetector:
    """OpenCV's frontal-face Haar cascade, from the `opencv-python-headless` wheel (`cv2.data`)."""

    name = "haar"

    def __init__(self, scale_factor: float = 1.1, min_neighbors: int = 5, min_size: int = 24):
        import cv2

        path = pathlib.Path(cv2.data.haarcascades) / "haarcascade_frontalface_default.xml"
        self.cascade = cv2.CascadeClassifier(str(path))
        if self.cascade.empty():
            raise DetectError(f"{path}: OpenCV could not load its own Haar cascade")
        self.scale_factor, self.min_neighbors, self.min_size = scale_factor, min_neighbors, min_size

    def __call__(self, bgr: np.ndarray) -> np.ndarray:
        import cv2

        gray = cv2.equalizeHist(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY))
        side = max(self.min_size, min(gray.shape[:2]) // MIN_FACE_FRACTION)  # texture is no face
        boxes = self.cascade.detectMultiScale(gray, scaleFactor=self.scale_factor, minNeighbors=self.min_neighbors,
                                              minSize=(side, side))
        return np.asarray(boxes, dtype=np.int64).reshape(-1, 4)


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


def annotate(bgr: np.ndarray, boxes, labels: Sequence[str], confidences: Sequence[float]) -> np.ndarray:
    """A copy of `bgr` with a box and "label 0.87" over each face."""
    import cv2

    out = bgr.copy()
    thickness = max(1, round(max(out.shape[:2]) / 400))
    for (x, y, w, h), label, conf in zip(np.asarray(boxes).reshape(-1, 4), labels, confidences):
        cv2.rectangle(out, (int(x), int(y)), (int(x + w), int(y + h)), (0, 200, 0), thickness)
        text = f"{label} {conf:.2f}"
        scale = max(0.4, w / 180)
        (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
        top = max(int(y) - th - base - 2, 0)
        cv2.rectangle(out, (int(x), top), (int(x) + tw + 2, top + th + base + 2), (0, 200, 0), -1)
        cv2.putText(out, text, (int(x) + 1, top + th + 1), cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thickness,
                    cv2.LINE_AA)
    return out


# -- in Python ----------------------------------------------------------------------------------------

def as_bgr(image, channels: str = "rgb") -> np.ndarray:
    """A path, a PIL image or a numpy array (RGB, or BGR with `channels="bgr"`; grey; RGBA) as 8-bit BGR."""
    if isinstance(image, (str, pathlib.Path)):
        return read_image(image)
    if hasattr(image, "mode") and hasattr(image, "convert"):  # a PIL image, upright by its EXIF orientation
        from PIL import ImageOps

        image = ImageOps.exif_transpose(image)
        image, channels = np.asarray(image.convert("RGBA" if "A" in image.mode else "RGB")), "rgb"
    x = np.asarray(image)
    if x.ndim == 3 and x.shape[2] in (3, 4) and channels == "rgb":
        x = x[:, :, [2, 1, 0] + ([3] if x.shape[2] == 4 else [])]
    elif channels not in ("rgb", "bgr"):
        raise ValueError(f"channels={channels!r}: expected 'rgb' or 'bgr'")
    return to_bgr8(np.ascontiguousarray(x))


class EmotionDetector:
    """Faces and their emotions in images, from Python.

    Args:
        model: a Keras model from 48x48x1 raw pixels to seven probabilities; default: the bundled
            pretrained FerCNN.
        detector: "haar" (OpenCV) or "mtcnn".
        crop_scale: side of the square face crop / the detector box's longer side; default: the
            detector's calibrated framing (`keras_fer.faces.FRAMINGS`).
        batch_size: faces per `predict` call in `detect_many`.
        tta: average each face's probabilities with its mirror's (`keras_fer.flip_tta`): twice the
            classification work, better accuracy (docs/results.md).

    Example:
        >>> from keras_fer import EmotionDetector                                  # doctest: +SKIP
        >>> EmotionDetector().detect("photo.jpg")                                 # doctest: +SKIP
        [{'box': (177, 67, 93, 93), 'label': 'happy', 'confidence': 0.97, 'probabilities': {...}}]
    """

    def __init__(self, model=None, detector: str = "haar", crop_scale: Optional[float] = None, batch_size: int = 64,
                 tta: bool = True):
        self.framing = framing_for(detector, crop_scale)  # bad values fail before anything is loaded
        self.find_faces = make_detector(detector)  # an unknown name fails before a model is loaded
        if model is None:
            from keras_fer.pretrained import load_pretrained

            model = load_pretrained()
        if tta:
            from keras_fer.models import flip_tta

            model = flip_tta(model)
        self.model, self.batch_size = model, batch_size

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
            p = probs[start:start + len(boxes)]
            start += len(boxes)
            out.append([{"box": tuple(int(v) for v in b), "label": CLASS_NAMES[int(q.argmax())],
                         "confidence": float(q.max()), "probabilities": dict(zip(CLASS_NAMES, map(float, q)))}
                        for b, q in zip(boxes, p)])
        return out

    def classify(self, crops: np.ndarray) -> np.ndarray:
        """Probabilities `[N, 7]` of 48x48 face crops, `batch_size` per `predict_on_batch` call."""
        x = np.asarray(crops, np.float32)
        return np.concatenate([np.asarray(self.model.predict_on_batch(x[i:i + self.batch_size]), np.float32)
                               for i in range(0, len(x), self.batch_size)])


# -- the job ------------------------------------------------------------------------------------------

@dataclasses.dataclass
class _Item:
    """One image or video frame waiting for its faces' emotions."""

    source: str
    frame: Optional[int]
    bgr: np.ndarray
    boxes: np.ndarray
    first: int  # index of its first face in the pending batch
    sink: object  # where the annotated picture goes: a path, a video writer, or None
    tracks: Optional[list] = None  # in a video: the track id of each face


class _Classifier:
    """Gathers faces from many images and classifies them `batch_size` at a time."""

    def __init__(self, detector: EmotionDetector, on_done):
        self.detector, self.batch_size, self.on_done = detector, detector.batch_size, on_done
        self.items: List[_Item] = []
        self.faces: List[np.ndarray] = []
        self.n_faces = 0

    def add(self, item: _Item, faces: np.ndarray):
        item.first = self.n_faces
        self.items.append(item)
        self.faces.append(faces)
        self.n_faces += len(faces)
        # frames without faces count too: a long faceless video is never held in memory
        if self.n_faces >= self.batch_size or len(self.items) >= self.batch_size:
            self.flush()

    def flush(self):
        if not self.items:
            return
        probs = np.zeros((0, len(CLASS_NAMES)), np.float32)
        if self.n_faces:
            probs = self.detector.classify(np.concatenate(self.faces))
        for item in self.items:
            self.on_done(item, probs[item.first:item.first + len(item.boxes)])
        self.items, self.faces, self.n_faces = [], [], 0


def detect(inputs: Sequence, out, model=None, detector: str = "haar", every: int = 1,
           crop_scale: Optional[float] = None,
           batch_size: int = 64, annotate_images: bool = True, progress: bool = True, tta: bool = True) -> dict:
    """Finds the faces in images, folders and videos and writes their emotions into `out`.

    Writes `detections.csv` (one row per face: source, frame, track (in a video: the same number for
    the same face from frame to frame), box, label, confidence and the seven probabilities; a file without a face gives one row with label "no_face"), annotated copies of
    the images under `out/annotated/`, and for each video an annotated video (at its frame rate
    divided by `every`) and `<name>_timeline.png` (the mean probability of each emotion per frame).

    Args:
        inputs: image files, video files and folders (searched recursively).
        out: the output folder.
        model: a Keras model from 48x48x1 raw pixels to seven probabilities; default: the bundled
            pretrained FerCNN (`keras_fer.load_pretrained()`).
        detector: "haar" or "mtcnn".
        every: in videos, look at every `every`-th frame.
        crop_scale: side of the square face crop / the detector box's longer side (default: the
            detector's calibrated framing).
        batch_size: faces per `predict` call.
        annotate_images: write the annotated copies of images.
        progress: show a progress bar over files and frames.
        tta: average each face with its mirror (see `EmotionDetector`).

    Returns:
        `{"files", "faces", "no_face", "unreadable", "csv"}`.
    """
    import pandas as pd
    from tqdm.auto import tqdm

    from keras_fer.io import atomic_path

    if every < 1 or batch_size < 1:
        raise DetectError(f"every={every}, batch_size={batch_size}: expected positive integers")
    framing_for(detector, crop_scale)  # a bad crop scale is refused before the inputs are read
    files = expand_inputs(inputs)
    if not files:
        raise DetectError(f"no image or video files in {', '.join(map(str, inputs))}")
    out = pathlib.Path(out)
    emotions = EmotionDetector(model, detector, crop_scale, batch_size, tta)
    (out / "annotated" if annotate_images else out).mkdir(parents=True, exist_ok=True)

    rows: list = []
    timelines: dict = {}
    unreadable: List[str] = []
    roots = [pathlib.Path(i) for i in inputs]
    names = _output_names(files, roots)

    def done(item: _Item, probs: np.ndarray):
        labels = [CLASS_NAMES[i] for i in probs.argmax(axis=1)]
        confidences = probs.max(axis=1) if len(probs) else []
        if not len(item.boxes):
            rows.append(dict(source=item.source, frame=item.frame, label="no_face"))
        tracks = item.tracks or [None] * len(item.boxes)
        for box, track, label, conf, p in zip(item.boxes, tracks, labels, confidences, probs):
            rows.append(dict(source=item.source, frame=item.frame, track=track, x=box[0], y=box[1], w=box[2], h=box[3],
                             label=label, confidence=float(conf), **{f"p_{c}": float(v) for c, v in zip(CLASS_NAMES, p)}))
        if item.frame is not None:
            timelines.setdefault(item.source, []).append(
                (item.frame, probs.mean(axis=0) if len(probs) else np.full(len(CLASS_NAMES), np.nan)))
        if item.sink is not None:
            picture = annotate(item.bgr, item.boxes, labels, confidences)
            if isinstance(item.sink, pathlib.Path):
                import cv2

                ok, encoded = cv2.imencode(item.sink.suffix, picture)
                with atomic_path(item.sink) as tmp:
                    encoded.tofile(tmp)
            else:
                item.sink.write(picture)

    classifier = _Classifier(emotions, done)
    bar = tqdm(total=len(files), unit="file", disable=not progress, dynamic_ncols=True)
    for path in files:
        bar.set_postfix_str(path.name[-30:], refresh=False)
        try:
            if path.suffix.lower() in VIDEO_SUFFIXES:
                video = _video(path, names[path], out, emotions, classifier, every, progress)
                classifier.flush()  # the video's frames are written before it is closed
                video.close()
                if str(path) in timelines:
                    from keras_fer.plots import plot_emotion_timeline

                    frames, probs = zip(*timelines[str(path)])
                    with atomic_path(out / f"{pathlib.Path(names[path]).stem}_timeline.png") as tmp:
                        plot_emotion_timeline(frames, np.stack(probs), title=f"emotions over time: {path.name}",
                                              path=tmp)
            else:
                bgr = read_image(path)
                sink = (out / "annotated" / names[path]) if annotate_images else None
                boxes, faces = emotions.faces(bgr, "bgr")
                classifier.add(_Item(str(path), None, bgr, boxes, 0, sink), faces)
        except (ValueError, OSError) as err:  # one bad file never ends the run
            unreadable.append(str(path))
            tqdm.write(f"keras-fer detect: skipped {err}", file=sys.stderr)
        bar.update(1)
    classifier.flush()
    bar.close()

    table = pd.DataFrame(rows, columns=COLUMNS)
    with atomic_path(out / "detections.csv") as tmp:
        table.to_csv(tmp, index=False, float_format="%.4f")
    faces = int((table["label"] != "no_face").sum())
    return {"files": len(files), "faces": faces, "no_face": int((table["label"] == "no_face").sum()),
            "unreadable": unreadable, "csv": str(out / "detections.csv")}


def _output_names(files: Sequence[pathlib.Path], roots: Sequence[pathlib.Path]) -> dict:
    """A unique file name under out/annotated for each input (its path below the folder given, '__'-joined)."""
    names, seen = {}, set()
    for path in files:
        rel = path.name
        for root in roots:
            if root.is_dir():
                try:
                    rel = "__".join(path.relative_to(root).parts)
                    break
                except ValueError:
                    continue
        name, n = rel, 1
        while name in seen:
            n += 1
            name = f"{pathlib.Path(rel).stem}_{n}{pathlib.Path(rel).suffix}"
        seen.add(name)
        names[path] = name
    return names


class _VideoOut:
    """An annotated video written to a temporary file and renamed into place when closed."""

    def __init__(self, target: pathlib.Path, fps: float, size):
        import cv2

        self.target, self.tmp = target, target.with_name(f".{target.stem}.tmp{target.suffix}")
        self.writer = cv2.VideoWriter(str(self.tmp), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)

    def write(self, picture):
        self.writer.write(picture)

    def close(self):
        self.writer.release()
        if self.tmp.exists():
            self.tmp.replace(self.target)


def _video(path, name, out, emotions: EmotionDetector, classifier, every, progress) -> _VideoOut:
    """Reads every `every`-th frame of a video into `classifier`; returns its annotated-video writer."""
    import cv2
    from tqdm.auto import tqdm

    from keras_fer.faces.tracking import IouTracker

    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise ValueError(f"{path}: not a video OpenCV can open (expected {', '.join(VIDEO_SUFFIXES)})")
    fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
    total = int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) or None
    writer = None
    tracker = IouTracker(max_gap=max(1, 10 // every) * every)
    frames = tqdm(total=total, unit="frame", leave=False, disable=not progress, dynamic_ncols=True)
    index = 0
    try:
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            if index % every == 0:
                bgr = to_bgr8(frame)
                if writer is None:
                    target = out / "annotated" / (pathlib.Path(name).stem + ".mp4")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    writer = _VideoOut(target, max(fps / every, 1.0), (bgr.shape[1], bgr.shape[0]))
                boxes, faces = emotions.faces(bgr, "bgr")
                classifier.add(_Item(str(path), index, bgr, boxes, 0, writer, tracker.update(index, boxes)), faces)
            index += 1
            frames.update(1)
    finally:
        frames.close()
        capture.release()
    if writer is None:
        raise ValueError(f"{path}: a video with no frame OpenCV can decode")
    return writer
