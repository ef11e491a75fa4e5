"""Would a different crop help on real photographs? The same faces (Haar, largest per photo) classified
from variants of their crop: averaged over several crop scales (a framing test-time average), or with
their grey levels normalised (histogram equalisation, CLAHE, mean and contrast set to FER2013's).

Accuracy over all photos (no face = wrong), each variant with the model's mirror TTA, as `keras-fer
detect` classifies. The same photo folders and layouts as `benchmarks/real_photos.py`; photometric
variants (among them each crop blurred to FER2013's median sharpness) are also run on FER2013's
public_test (the model's own test set: a variant must not cost accuracy there).

Run:
    python benchmarks/crop_variants.py --set jaffe=jaffe:PHOTOS/jaffe --set tfeid=tfeid:PHOTOS/tfeid \\
        --set wild=legend:PHOTOS/muxspace --models pretrained --data ../shared/fer2013
"""

from __future__ import annotations

import argparse
import pathlib

import numpy as np
import pandas as pd

from keras_fer.sharpness import laplacian_variance
from real_photos import largest_faces, load_models, read_sets

SCALE_SETS = {"1.0 (default)": (1.0,), "0.9, 1.0, 1.1 averaged": (0.9, 1.0, 1.1),
              "0.85-1.3 averaged (9 scales)": (0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2, 1.3)}


#: Gaussian blurs (sigma, pixels of the 48x48 crop) from which "sharpness matched" picks, per crop.
SIGMAS = (0.0, 0.3, 0.5, 0.7, 0.9, 1.2)


def sharpness_matched(grey: np.ndarray, target: float) -> np.ndarray:
    """Each crop blurred by the sigma of SIGMAS that brings its Laplacian variance nearest `target` (FER2013
    train's median): a photo's crop is often sharper than FER2013's upscaled web faces."""
    import cv2

    blurred = np.stack([np.stack([g if s == 0 else cv2.GaussianBlur(g, (0, 0), s) for s in SIGMAS]) for g in grey])
    gaps = np.abs(np.log(laplacian_variance(blurred.reshape(-1, *grey.shape[1:])).reshape(blurred.shape[:2]) + 1e-3)
                  - np.log(target))
    return blurred[np.arange(len(grey)), gaps.argmin(1)]


def photometric(crops: np.ndarray, mean: float, std: float, sharpness: float, only: str = "") -> dict:
    """uint8 crops [N, 48, 48, 1] -> {variant name: float32 crops} (the names that contain `only`)."""
    import cv2

    grey = crops[..., 0]
    clahe = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(4, 4))
    f = grey.astype("float32")
    standard = (f - f.mean((1, 2), keepdims=True)) / (f.std((1, 2), keepdims=True) + 1e-3) * std + mean
    out = {"histogram equalised": np.stack([cv2.equalizeHist(g) for g in grey]),
           "CLAHE (clip 2, 4x4 tiles)": np.stack([clahe.apply(g) for g in grey]),
           "mean and contrast set to FER2013's": np.clip(standard, 0, 255),
           "sharpness matched to FER2013's (Gaussian blur)": sharpness_matched(grey, sharpness)}
    return {k: v.astype("float32")[..., None] for k, v in out.items() if only in k}


def main(argv=None) -> int:
    import cv2

    from keras_fer.detect import make_detector, read_image
    from keras_fer.faces.framing import crop_faces, framing_for
    from keras_fer.models import flip_tta
    from tfds_fer2013.readers import read_labelled

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", required=True, metavar="NAME=LAYOUT:DIR")
    parser.add_argument("--models", nargs="+", default=["pretrained"], help="as real_photos.py's --models")
    parser.add_argument("--data", required=True, help="FER2013 folder (fer2013.csv.gz): its train split's grey "
                                                      "levels, and public_test")
    parser.add_argument("--per-class", type=int, default=150)
    parser.add_argument("--photometric-only", action="store_true", help="skip the averages over crop scales")
    parser.add_argument("--only", default="", help="the photometric variants whose name has this text")
    args = parser.parse_args(argv)
    scale_sets = {k: v for k, v in SCALE_SETS.items() if not args.photometric_only or v == (1.0,)}

    labelled = read_labelled(pathlib.Path(args.data))
    train = labelled["train"][0].reshape(len(labelled["train"][0]), -1).astype("float32")
    mean, std = float(train.mean()), float(train.std(1).mean())  # grey level, and contrast per face
    sharpness = float(np.median(laplacian_variance(labelled["train"][0][::10, :, :, 0])))
    print(f"FER2013 train: mean grey level {mean:.1f}, mean contrast (std per face) {std:.1f}, "
          f"median Laplacian variance {sharpness:.0f}")
    find = make_detector("haar")
    rows = {}
    sets = []
    for name, items in read_sets(args.set, args.per_class):
        greys = [cv2.cvtColor(read_image(p), cv2.COLOR_BGR2GRAY) for p, _ in items]
        boxes, found = largest_faces(greys, find)
        scales = sorted({s for group in scale_sets.values() for s in group} | {framing_for("haar").scale})
        crops = {s: np.concatenate([crop_faces(greys[i], boxes[i][None], framing_for("haar", s)) for i in found])
                 for s in scales}  # uint8, the same for every model
        sets.append((name, np.array([label for _, label in items]), found, crops))
        print(f"{name}: median Laplacian variance of the crops "
              f"{np.median(laplacian_variance(crops[framing_for('haar').scale][..., 0])):.0f}")
    x_public, y_public = labelled["public_test"]
    for model_name, model in load_models(args.models).items():
        tta = flip_tta(model)
        predict = lambda x: np.asarray(tta.predict(x, batch_size=128, verbose=0))  # noqa: E731
        for name, truth, found, crops in sets:
            def accuracy(probs):
                pred = np.full(len(truth), -1)
                pred[found] = probs.argmax(1)
                return f"{np.mean(pred == truth):.1%}"

            by_scale = {s: predict(c.astype("float32")) for s, c in crops.items()}
            for label, scales in scale_sets.items():
                rows.setdefault((model_name, f"crop {label}"), {})[name] = accuracy(
                    np.mean([by_scale[s] for s in scales], axis=0))
            default_crops = crops[framing_for("haar").scale]
            for label, variant in photometric(default_crops, mean, std, sharpness, args.only).items():
                rows.setdefault((model_name, label), {})[name] = accuracy(predict(variant))
        rows[(model_name, "crop 1.0 (default)")]["public_test"] = f"{np.mean(predict(x_public.astype('float32')).argmax(1) == y_public):.4f}"
        for label, variant in photometric(x_public, mean, std, sharpness, args.only).items():
            rows[(model_name, label)]["public_test"] = f"{np.mean(predict(variant).argmax(1) == y_public):.4f}"
    table = pd.DataFrame([{"model": m, "variant": v, **r} for (m, v), r in rows.items()]).fillna("")
    print(table.to_markdown(index=False, disable_numparse=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
