"""The job behind `keras-fer detect`: folders, photos and videos in; detections.csv, annotated copies and
emotion timelines out."""

from __future__ import annotations

from keras_fer.errors import ConfigError

import dataclasses
import pathlib
import sys
from typing import List, Optional, Sequence

import numpy as np

from keras_fer.faces.detectors import make_detector  # noqa: F401
from keras_fer.faces.drawing import annotate
from keras_fer.faces.emotion_detector import DEFAULT_TTA, EmotionDetector
from keras_fer.faces.errors import DetectError
from keras_fer.faces.framing import framing_for
from keras_fer.faces.reading import VIDEO_SUFFIXES, expand_inputs, read_image, to_bgr8
from tfds_fer2013 import CLASS_NAMES

COLUMNS = ["source", "frame", "track", "x", "y", "w", "h", "label", "confidence"] + [f"p_{c}" for c in CLASS_NAMES]


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
           batch_size: int = 64, annotate_images: bool = True, progress: bool = True, tta=DEFAULT_TTA) -> dict:
    """Finds the faces in images, folders and videos and writes their emotions into `out`.

    Writes `detections.csv` (one row per face: source, frame, track (in a video: the same number for
    the same face from frame to frame), box, label, confidence and the seven probabilities; a file without a face gives one row with label "no_face"), annotated copies of
    the images under `out/annotated/`, and for each video an annotated WebM video (at its frame rate
    divided by `every`) and `<name>_timeline.png` (the mean probability of each emotion per frame).

    Args:
        inputs: image files, video files and folders (searched recursively).
        out: the output folder.
        model: a Keras model from 48x48x1 raw pixels to seven probabilities; default: the bundled
            pretrained model (`keras_fer.load_pretrained()`: `keras_fer.pretrained.DEFAULT_MODEL`).
        detector: "haar" or "mtcnn".
        every: in videos, look at every `every`-th frame.
        crop_scale: side of the square face crop / the detector box's longer side (default: the
            detector's calibrated framing).
        batch_size: faces per `predict` call.
        annotate_images: write the annotated copies of images.
        progress: show a progress bar over files and frames.
        tta: the views each face is classified from: "mirror", "zoom" or "none" (see `EmotionDetector`).

    `detections.csv` grows as files are done: stopped (Ctrl-C), it holds the files finished so far.

    Returns:
        `{"files", "faces", "no_face", "unreadable", "csv"}`.
    """
    from tqdm.auto import tqdm

    from keras_fer.io import atomic_path

    if every < 1 or batch_size < 1:
        raise DetectError(f"every={every}, batch_size={batch_size}: expected positive integers")
    framing_for(detector, crop_scale)  # a bad crop scale is refused before the inputs are read
    out = pathlib.Path(out)
    files = expand_inputs(inputs, exclude=out)
    if not files:
        raise DetectError(f"no image or video files in {', '.join(map(str, inputs))}")
    emotions = EmotionDetector(model, detector, crop_scale, batch_size, tta)
    (out / "annotated" if annotate_images else out).mkdir(parents=True, exist_ok=True)

    csv = _CsvRows(out / "detections.csv")
    timelines: dict = {}
    unreadable: List[str] = []
    names = _output_names(files, [pathlib.Path(i) for i in inputs])

    def done(item: _Item, probs: np.ndarray):
        labels = [CLASS_NAMES[i] for i in probs.argmax(axis=1)]
        confidences = probs.max(axis=1) if len(probs) else []
        if not len(item.boxes):
            csv.add(dict(source=item.source, frame=item.frame, label="no_face"))
        tracks = item.tracks or [None] * len(item.boxes)
        for box, track, label, conf, p in zip(item.boxes, tracks, labels, confidences, probs):
            csv.add(dict(source=item.source, frame=item.frame, track=track, x=int(box[0]), y=int(box[1]),
                         w=int(box[2]), h=int(box[3]), label=label, confidence=float(conf),
                         **{f"p_{c}": float(v) for c, v in zip(CLASS_NAMES, p)}))
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
    try:
        for path in files:
            bar.set_postfix_str(path.name[-30:], refresh=False)
            try:
                if path.suffix.lower() in VIDEO_SUFFIXES:
                    _video(path, names[path], out, emotions, classifier, every, progress)
                    if str(path) in timelines:
                        from keras_fer.plots import plot_emotion_timeline

                        frames, probs = zip(*timelines.pop(str(path)))
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
            csv.write()  # what is done so far is on disk: an interrupted run keeps it
    finally:  # also on Ctrl-C: the faces found so far are classified and written
        bar.close()
        try:
            classifier.flush()
        finally:
            csv.close()
    return {"files": len(files), "faces": csv.faces, "no_face": csv.no_face, "unreadable": unreadable,
            "csv": str(out / "detections.csv")}


class _CsvRows:
    """detections.csv, written as results arrive (a temporary file, renamed into place when closed)."""

    def __init__(self, path: pathlib.Path):
        self.path, self.tmp = path, path.with_name(f".{path.stem}.tmp{path.suffix}")
        self.pending: list = []
        self.faces = self.no_face = 0
        self.tmp.write_text(",".join(COLUMNS) + "\n")

    def add(self, row: dict):
        self.pending.append(row)
        if row["label"] == "no_face":
            self.no_face += 1
        else:
            self.faces += 1

    def write(self):
        import pandas as pd

        if self.pending:
            table = pd.DataFrame(self.pending, columns=COLUMNS)
            for column in ("frame", "track", "x", "y", "w", "h"):  # integers, also beside empty cells
                table[column] = table[column].astype("Int64")
            table.to_csv(self.tmp, mode="a", header=False, index=False, float_format="%.4f")
            self.pending = []

    def close(self):
        self.write()
        self.tmp.replace(self.path)


def _output_names(files: Sequence[pathlib.Path], roots: Sequence[pathlib.Path]) -> dict:
    """A file name under out/annotated for each input (its path below the folder given, '__'-joined) whose
    stem no other input shares: `clip.mp4` and `clip.avi` become `clip.mp4` and `clip_avi.avi`, so their
    annotated videos and timelines never overwrite each other."""
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
        stem, suffix = pathlib.Path(rel).stem, pathlib.Path(rel).suffix
        name, n = stem, 1
        if name.lower() in seen:
            name = f"{stem}_{suffix.lstrip('.')}"
        while name.lower() in seen:
            n += 1
            name = f"{stem}_{suffix.lstrip('.')}_{n}"
        seen.add(name.lower())
        names[path] = name + suffix
    return names


class _VideoOut:
    """An annotated video written to a temporary file and renamed into place when closed."""

    def __init__(self, target: pathlib.Path, fps: float, size):
        import cv2

        self.target, self.tmp = target, target.with_name(f".{target.stem}.tmp{target.suffix}")
        # VP9 in WebM: plays in browsers, and OpenCV's wheels can write it
        from keras_fer.io import captured_stderr

        with captured_stderr():  # FFmpeg's note that WebM has no fourcc tags, printed past Python
            self.writer = cv2.VideoWriter(str(self.tmp), cv2.VideoWriter_fourcc(*"VP90"), fps, size)
        if not self.writer.isOpened():
            raise OSError(f"{target}: OpenCV cannot write a VP9 WebM video here")

    def write(self, picture):
        self.writer.write(picture)

    def close(self):
        self.writer.release()
        if self.tmp.exists():
            self.tmp.replace(self.target)


def _video(path, name, out, emotions: EmotionDetector, classifier, every, progress) -> None:
    """Reads every `every`-th frame of a video into `classifier` and writes its annotated video (also
    when stopped part-way: the frames done so far, as a video that plays)."""
    import cv2
    from tqdm.auto import tqdm

    from keras_fer.faces.tracking import IouTracker

    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise ConfigError(f"{path}: not a video OpenCV can open (expected {', '.join(VIDEO_SUFFIXES)})")
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
                    target = out / "annotated" / (pathlib.Path(name).stem + ".webm")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    writer = _VideoOut(target, max(fps / every, 1.0), (bgr.shape[1], bgr.shape[0]))
                boxes, faces = emotions.faces(bgr, "bgr")
                classifier.add(_Item(str(path), index, bgr, boxes, 0, writer, tracker.update(index, boxes)), faces)
            index += 1
            frames.update(1)
    finally:
        frames.close()
        capture.release()
        if writer is not None:
            classifier.flush()  # the video's frames are written before it is closed
            writer.close()
    if writer is None:
        raise ConfigError(f"{path}: a video with no frame OpenCV can decode")
