"""Emotion accuracy on labelled real photographs: keras-fer (each detector, model and crop scale) beside
the `fer` package (its Haar and MTCNN paths, run in its own virtual environment).

The photos stay outside the repository and nothing is fetched: name folders you have, each with its
layout (how its labels are read):

- `jaffe`: JAFFE's `XX.AN1.39.tiff` files (label from the two letters after the first dot).
- `tfeid`: Taiwanese facial-expression photos, `0101a02.jpg` (label from the fifth character, a-g:
  neutral, happy, sad, angry, disgust, fear, surprise).
- `legend`: a folder with `images/` and `data/legend.csv` (columns image, emotion), as the
  muxspace/facial_expressions repository has them; `--per-class` photos of each class at most
  (seeded sample), contempt left out.

For each photo the largest face counts; a photo without a face counts as wrong ("accuracy over all
photos"). keras-fer classifies with its mirror TTA, as `keras-fer detect` does. A model named `A+B` is the
ensemble of A and B; `pretrained:FerCNN` the bundled weights of another architecture,
`pretrained:FerVGG:fer2013-course` one named weight set. Prints one markdown
table per set: faces found, accuracy, per-class recall and seconds per photo (this process, one core
or two as the machine gives it).

Run:
    python benchmarks/real_photos.py --set jaffe=jaffe:PHOTOS/jaffe --set tfeid=tfeid:PHOTOS/tfeid \\
        --models pretrained RUN/best.keras pretrained+RUN/best.keras --detectors haar mtcnn --scales 0.9 1.0 1.1 1.2 \\
        --fer-python FERVENV/bin/python
"""

from __future__ import annotations

import argparse
import itertools
import json
import pathlib
import subprocess
import sys
import time

import numpy as np
import pandas as pd

from keras_fer.detect import DEFAULT_TTA, TTA_MODES, read_image
from keras_fer.faces.framing import crop_faces, framing_for
from tfds_fer2013 import CLASS_NAMES

JAFFE = {"AN": "angry", "DI": "disgust", "FE": "fear", "HA": "happy", "SA": "sad", "SU": "surprise", "NE": "neutral"}
TFEID = dict(zip("abcdefg", ("neutral", "happy", "sad", "angry", "disgust", "fear", "surprise")))
LEGEND = {"anger": "angry", "disgust": "disgust", "fear": "fear", "happiness": "happy", "sadness": "sad",
          "surprise": "surprise", "neutral": "neutral"}


def read_set(layout: str, folder: pathlib.Path, per_class: int, seed: int = 0):
    """`[(path, label index)]` of a labelled photo folder."""
    items = []
    if layout == "jaffe":
        for p in sorted(folder.glob("*.tiff")):
            code = p.name.split(".")[1][:2]
            if code in JAFFE:
                items.append((p, JAFFE[code]))
    elif layout == "tfeid":
        for p in sorted(folder.glob("*.jpg")):
            if len(p.stem) >= 5 and p.stem[4] in TFEID:
                items.append((p, TFEID[p.stem[4]]))
    elif layout == "legend":
        legend = pd.read_csv(folder / "data" / "legend.csv")
        legend["label"] = legend["emotion"].str.lower().map(LEGEND)
        legend = legend.dropna(subset=["label"])
        legend = legend[[(folder / "images" / name).is_file() for name in legend["image"]]]
        legend = legend.sample(frac=1.0, random_state=seed).groupby("label").head(per_class)
        items = [(folder / "images" / name, label) for name, label in zip(legend["image"], legend["label"])]
    else:
        raise SystemExit(f"unknown layout {layout!r}: expected jaffe, tfeid or legend")
    if not items:
        raise SystemExit(f"{folder}: no labelled photos of layout {layout!r}")
    return [(p, CLASS_NAMES.index(label)) for p, label in items]


def read_sets(specs, per_class: int):
    """`[(name, [(path, label index)])]` of each `NAME=LAYOUT:DIR` of `--set`."""
    sets = []
    for spec in specs:
        name, _, rest = spec.partition("=")
        layout, _, folder = rest.partition(":")
        sets.append((name, read_set(layout, pathlib.Path(folder).expanduser(), per_class)))
    return sets


def largest(boxes):
    boxes = np.asarray(boxes).reshape(-1, 4)
    return boxes[np.argmax(boxes[:, 2] * boxes[:, 3])] if len(boxes) else None


def largest_faces(greys, find):
    """The largest face box that `find` (a detector) sees in each grey photo, None where it sees none,
    and the indices of the photos with a face."""
    import cv2

    boxes = [largest(find(cv2.cvtColor(g, cv2.COLOR_GRAY2BGR))) for g in greys]
    return boxes, [i for i, b in enumerate(boxes) if b is not None]


def summarise(name, pred, truth, seconds):
    pred, truth = np.asarray(pred), np.asarray(truth)
    row = {"method": name, "faces found": f"{np.mean(pred >= 0):.1%}", "accuracy": f"{np.mean(pred == truth):.1%}"}
    for k, c in enumerate(CLASS_NAMES):
        if (truth == k).any():
            row[f"recall {c}"] = f"{np.mean(pred[truth == k] == k):.0%}"
    row["s/photo"] = f"{seconds / len(truth):.3f}"
    return row


def keras_fer_rows(items, models, detectors, scales, ttas=("mirror",)):
    import cv2

    from keras_fer.detect import make_detector
    from keras_fer.models.tta import with_tta

    truth = [label for _, label in items]
    greys = [cv2.cvtColor(read_image(p), cv2.COLOR_BGR2GRAY) for p, _ in items]
    rows = []
    for det_name in detectors:
        find = make_detector(det_name)
        start = time.perf_counter()
        boxes, found = largest_faces(greys, find)
        detect_seconds = time.perf_counter() - start
        for (model_name, model), mode in itertools.product(models.items(), ttas):
            tta = with_tta(model, mode)
            for scale in scales or [None]:
                framing = framing_for(det_name, scale)
                start = time.perf_counter()
                pred = np.full(len(items), -1)
                if found:
                    crops = np.concatenate([crop_faces(greys[i], boxes[i][None], framing) for i in found])
                    probs = np.asarray(tta.predict(crops.astype("float32"), batch_size=64, verbose=0))
                    pred[found] = probs.argmax(1)
                seconds = detect_seconds + time.perf_counter() - start
                label = f"keras-fer {model_name}, {det_name}, crop {framing.scale:.2f}, TTA {mode}"
                if scale is None and mode == DEFAULT_TTA:
                    label += " (default)"
                rows.append(summarise(label, pred, truth, seconds))
    return rows


FER_WORKER = r"""
import json, sys, time
mtcnn = sys.argv[1] == "mtcnn"
if mtcnn:
    import facenet_pytorch  # noqa: F401  (before fer: with TensorFlow loaded first, torchvision crashes)
import cv2
from fer.fer import FER
detector = FER(mtcnn=mtcnn)
paths = json.load(sys.stdin)
out, start = [], time.perf_counter()
for path in paths:
    faces = detector.detect_emotions(cv2.imread(path))
    if faces:
        face = max(faces, key=lambda f: f["box"][2] * f["box"][3])
        out.append(max(face["emotions"], key=face["emotions"].get))
    else:
        out.append(None)
print(json.dumps({"labels": out, "seconds": time.perf_counter() - start}))
"""


def fer_rows(items, fer_python, detectors):
    truth = [label for _, label in items]
    rows = []
    for det_name in detectors:
        done = subprocess.run([fer_python, "-c", FER_WORKER, det_name], input=json.dumps([str(p) for p, _ in items]),
                              capture_output=True, text=True)
        if done.returncode:
            print(f"fer ({det_name}) failed:\n{done.stderr[-2000:]}", file=sys.stderr)
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])
        pred = [CLASS_NAMES.index(label) if label else -1 for label in result["labels"]]
        rows.append(summarise(f"fer 25.10.3, {det_name}", pred, truth, result["seconds"]))
    return rows


def load_model(name):
    """"pretrained" (the default ensemble), "pretrained:[ARCHITECTURE:]NAME" (one bundled weight set) or a
    .keras file."""
    import keras

    if name == "pretrained" or name.startswith("pretrained:"):
        from keras_fer.pretrained import from_spec

        return from_spec(name)
    return keras.saving.load_model(name, compile=False)


def load_models(names):
    """Each name as a model; "A+B" is the ensemble of A and B (their probabilities averaged)."""
    from keras_fer.models import ensemble

    models = {}
    for name in names:
        parts = name.split("+")
        label = "+".join(p if p.startswith("pretrained") else (pathlib.Path(p).parent.name or p) for p in parts)
        members = [load_model(p) for p in parts]
        models[label] = members[0] if len(members) == 1 else ensemble(members)
    return models


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", required=True, metavar="NAME=LAYOUT:DIR")
    parser.add_argument("--models", nargs="+", default=["pretrained"],
                        help="'pretrained', 'pretrained:ARCHITECTURE[:NAME]' (e.g. pretrained:FerVGG:fer2013-course), .keras "
                             "files, or A+B (their ensemble)")
    parser.add_argument("--detectors", nargs="+", default=["haar"], choices=["haar", "mtcnn"])
    parser.add_argument("--scales", nargs="*", type=float, default=[],
                        help="crop scales to try (default: each detector's calibrated framing only)")
    parser.add_argument("--fer-python", default=None, help="python of a venv with fer 25.10.3 (peers.md)")
    parser.add_argument("--fer-detectors", nargs="*", default=["haar", "mtcnn"])
    parser.add_argument("--tta", nargs="+", default=[DEFAULT_TTA], choices=TTA_MODES,
                        help="the views each face is classified from (keras_fer.models.with_tta); several: one row each")
    parser.add_argument("--per-class", type=int, default=150, help="legend layout: photos per class at most")
    args = parser.parse_args(argv)

    models = load_models(args.models)
    for name, items in read_sets(args.set, args.per_class):
        counts = np.bincount([label for _, label in items], minlength=len(CLASS_NAMES))
        rows = keras_fer_rows(items, models, args.detectors, args.scales, args.tta)
        if args.fer_python:
            rows += fer_rows(items, args.fer_python, args.fer_detectors)
        print(f"\n### {name}: {len(items)} photos ({', '.join(f'{c} {n}' for c, n in zip(CLASS_NAMES, counts) if n)})\n")
        print(pd.DataFrame(rows).fillna("").to_markdown(index=False, disable_numparse=True), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
