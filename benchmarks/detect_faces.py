"""Face detection and end-to-end emotion accuracy on FER2013 faces pasted into larger frames.

Each of N public_test faces (48x48) is enlarged (bicubic) to a random side of 96-200 px and pasted at a
random position into a 640x480 frame of smooth random background. Each detector (`haar`, `mtcnn`) then
runs on the frames: a face counts as found when a box overlaps the true one with IoU >= 0.3; the found
faces are cropped and classified as `keras-fer detect` does. Prints, per detector: detection rate,
false boxes per frame, emotion accuracy of the found faces against their labels, the same model's
accuracy on the original 48x48 crops of the same faces (the ceiling), frames/s of detection, and how
FER2013 frames a face against the detector's box (the medians `keras_fer.faces.FRAMINGS` is set from). Then
`keras_fer.detect.detect` end to end (Haar): faces/s on a folder of the frames as JPEG photos, and
frames/s on a 640x480 video of them.

Run: python benchmarks/detect_faces.py --data ../shared/fer2013 [--n 300] [--model M.keras]
"""

from __future__ import annotations

import argparse
import tempfile
import time

import cv2
import numpy as np
import pandas as pd

import keras_fer
from keras_fer.detect import EmotionDetector, detect


def frames_with_faces(x48, n, seed=0):
    rng = np.random.default_rng(seed)
    frames, boxes = [], []
    for face in x48[:n]:
        low = rng.uniform(40, 200, (3, 4, 3))  # smooth background: a bilinear colour ramp (3x4 pixels, BGR)
        background = cv2.resize(low.astype(np.float32), (640, 480), interpolation=cv2.INTER_LINEAR)
        frame = np.clip(background + rng.normal(0, 6, (480, 640, 3)), 0, 255).astype(np.uint8)
        side = int(rng.integers(96, 201))
        x, y = int(rng.integers(0, 640 - side)), int(rng.integers(0, 480 - side))
        big = cv2.resize(face[:, :, 0], (side, side), interpolation=cv2.INTER_CUBIC)
        frame[y:y + side, x:x + side] = big[:, :, None]
        frames.append(frame)
        boxes.append((x, y, side, side))
    return frames, np.array(boxes)


def iou(a, b):
    ax0, ay0, aw, ah = a
    bx0, by0, bw, bh = b
    w = max(0, min(ax0 + aw, bx0 + bw) - max(ax0, bx0))
    h = max(0, min(ay0 + ah, by0 + bh) - max(ay0, by0))
    return w * h / (aw * ah + bw * bh - w * h)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="../shared/fer2013")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--model", default=None, help="default: the bundled weights")
    args = parser.parse_args()

    import keras

    model = keras.saving.load_model(args.model, compile=False) if args.model else keras_fer.load_pretrained()
    x, y = keras_fer.data.arrays("public_test", manual_dir=args.data, limit=args.n)
    frames, truth = frames_with_faces(x, args.n)
    ceiling = float(np.mean(model.predict(x.astype("float32"), verbose=0).argmax(1) == y))
    rows = []
    for name in ("haar", "mtcnn"):
        detector = EmotionDetector(model=model, detector=name)
        detector.find_faces(frames[0])  # warm-up
        start = time.perf_counter()
        found = [detector.find_faces(f) for f in frames]
        seconds = time.perf_counter() - start
        crops, labels, false_boxes, framing = [], [], 0, []
        for frame, boxes, true_box, label in zip(frames, found, truth, y):
            scores = [iou(b, true_box) for b in boxes]
            hit = int(np.argmax(scores)) if scores and max(scores) >= 0.3 else None
            false_boxes += len(boxes) - (hit is not None)
            if hit is not None:
                bx, by, bw, bh = (float(v) for v in boxes[hit])
                tx, ty, side, _ = (float(v) for v in true_box)
                long = max(bw, bh)  # FER2013's square against the box: scale, centre shift (Framing's terms)
                framing.append((side / long, (tx + side / 2 - bx - bw / 2) / long, (ty + side / 2 - by - bh / 2) / long))
                gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
                crops.append(keras_fer.detect.crop_faces(gray, boxes[hit:hit + 1], detector.framing)[0])
                labels.append(label)
        accuracy = float(np.mean(detector.classify(np.stack(crops)).argmax(1) == np.array(labels))) if crops else 0.0
        rows.append({"detector": name, "faces found": f"{len(crops)}/{len(frames)} ({len(crops) / len(frames):.1%})",
                     "false boxes / frame": f"{false_boxes / len(frames):.3f}",
                     "emotion accuracy of found faces": f"{accuracy:.4f}",
                     "same model on the 48x48 crops": f"{ceiling:.4f}",
                     "frames/s (detection only)": f"{len(frames) / seconds:.1f}",
                     "FER2013 square / box side (median)": f"{np.median([f[0] for f in framing]):.3f}",
                     "its centre - box centre, x (median, / box side)": f"{np.median([f[1] for f in framing]):+.3f}",
                     "its centre - box centre, y (median, / box side)": f"{np.median([f[2] for f in framing]):+.3f}"})
    print(f"{args.n} FER2013 public_test faces pasted into 640x480 frames\n")
    print(pd.DataFrame(rows).set_index("detector").T.to_markdown(disable_numparse=True))

    with tempfile.TemporaryDirectory() as tmp:
        for i, frame in enumerate(frames):
            cv2.imwrite(f"{tmp}/photo_{i:04d}.jpg", frame)
        start = time.perf_counter()
        result = detect([tmp], f"{tmp}/out-photos", model=model, progress=False)
        seconds = time.perf_counter() - start
        print(f"\nkeras_fer.detect on a folder of {len(frames)} 640x480 JPEG photos (Haar, annotated copies "
              f"written): {result['faces'] / seconds:.1f} faces/s, {len(frames) / seconds:.1f} photos/s")

    with tempfile.TemporaryDirectory() as tmp:
        video = f"{tmp}/clip.avi"
        writer = cv2.VideoWriter(video, cv2.VideoWriter_fourcc(*"MJPG"), 25.0, (640, 480))
        clip = frames[:100]
        for frame in clip:
            writer.write(frame)
        writer.release()
        start = time.perf_counter()
        result = detect([video], f"{tmp}/out", model=model, progress=False)
        seconds = time.perf_counter() - start
    print(f"keras_fer.detect on a 640x480 video of {len(clip)} frames (Haar, every frame, annotated video and "
          f"timeline written): {len(clip) / seconds:.1f} frames/s, {result['faces']} faces")


if __name__ == "__main__":
    main()
