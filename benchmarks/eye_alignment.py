"""Does turning a face so its eyes are level help on real photographs? MTCNN's faces (largest per photo,
confidence >= 0.9, as `keras-fer detect --detector mtcnn` keeps them) cut as `detect` cuts them, and cut
again from the photo turned about the box's centre by the angle of MTCNN's eye landmarks.

Accuracy over all photos (no face = wrong), each crop with the model's mirror TTA; the paired counts say
on how many photos only one of the two crops is right (an exact McNemar test on them). Same photo folders
and layouts as `benchmarks/real_photos.py`.

Run:
    python benchmarks/eye_alignment.py --set jaffe=jaffe:PHOTOS/jaffe --set tfeid=tfeid:PHOTOS/tfeid \\
        --set wild=legend:PHOTOS/muxspace --models pretrained
"""

from __future__ import annotations

import argparse
import math

import numpy as np
import pandas as pd

from real_photos import load_models, read_sets


def eye_angle(left_eye, right_eye) -> float:
    """The eye line's angle to the horizontal, in degrees (positive: the right eye lower in the image)."""
    return math.degrees(math.atan2(right_eye[1] - left_eye[1], right_eye[0] - left_eye[0]))


def level_eyes(grey: np.ndarray, box, left_eye, right_eye) -> np.ndarray:
    """`grey` turned about the centre of `box` (x, y, w, h) so that the eye line is horizontal; the photo's
    edge pixels repeated where the turn uncovers the corners."""
    import cv2

    centre = (float(box[0] + box[2] / 2), float(box[1] + box[3] / 2))
    turn = cv2.getRotationMatrix2D(centre, eye_angle(left_eye, right_eye), 1.0)
    return cv2.warpAffine(grey, turn, (grey.shape[1], grey.shape[0]), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)


def main(argv=None) -> int:
    import cv2
    from scipy.stats import binomtest

    from keras_fer.detect import read_image
    from keras_fer.faces.detectors import MtcnnDetector
    from keras_fer.faces.framing import crop_faces, framing_for
    from keras_fer.models import flip_tta

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", required=True, metavar="NAME=LAYOUT:DIR")
    parser.add_argument("--models", nargs="+", default=["pretrained"], help="as real_photos.py's --models")
    parser.add_argument("--per-class", type=int, default=150)
    args = parser.parse_args(argv)

    detector = MtcnnDetector()  # its MTCNN and threshold; its boxes alone drop the landmarks needed here
    framing = framing_for("mtcnn")
    models = {name: flip_tta(model) for name, model in load_models(args.models).items()}
    rows = []
    for set_name, items in read_sets(args.set, args.per_class):
        truth = np.array([label for _, label in items])
        found, today, level, angles = [], [], [], []
        for i, (path, _) in enumerate(items):
            grey = cv2.cvtColor(read_image(path), cv2.COLOR_BGR2GRAY)
            faces = [f for f in detector.model.detect_faces(cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB))
                     if f.get("confidence", 1.0) >= detector.min_confidence]
            if not faces:
                continue
            face = max(faces, key=lambda f: f["box"][2] * f["box"][3])
            box = np.asarray(face["box"], dtype=np.int64)
            eyes = face["keypoints"]["left_eye"], face["keypoints"]["right_eye"]
            angles.append(abs(eye_angle(*eyes)))
            found.append(i)
            today.append(crop_faces(grey, box[None], framing))
            level.append(crop_faces(level_eyes(grey, box, *eyes), box[None], framing))
        for model_name, model in models.items():
            right = {}
            for variant, crops in (("as detect cuts it", today), ("eyes level", level)):
                pred = np.full(len(items), -1)
                if found:
                    probs = model.predict(np.concatenate(crops).astype("float32"), batch_size=256, verbose=0)
                    pred[found] = np.asarray(probs).argmax(1)
                right[variant] = pred == truth
            only_level = int((right["eyes level"] & ~right["as detect cuts it"]).sum())
            only_today = int((right["as detect cuts it"] & ~right["eyes level"]).sum())
            p = binomtest(only_level, only_level + only_today).pvalue if only_level + only_today else 1.0
            rows.append({"set": set_name, "photos": len(items), "faces": len(found), "model": model_name,
                         "|eye angle| median": round(float(np.median(angles)), 1) if angles else None,
                         "|eye angle| 90th pct": round(float(np.percentile(angles, 90)), 1) if angles else None,
                         "as detect cuts it": round(100 * right["as detect cuts it"].mean(), 1),
                         "eyes level": round(100 * right["eyes level"].mean(), 1),
                         "only level right": only_level, "only today right": only_today,
                         "McNemar p": round(p, 3)})
    print(pd.DataFrame(rows).to_markdown(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
