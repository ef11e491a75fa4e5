"""Label shift: the bundled model's decision moved from FER2013's class frequencies toward equal classes.

The models learn FER2013's priors (happy 25%, disgust 1.5%); the posed photo sets hold each class about
equally. Bayes' rule for a test set with equal classes divides each probability by the training prior;
a power `tau` between 0 (the model as it is) and 1 (full correction) interpolates. `tau` is chosen on
FER2013's validation split for balanced accuracy (mean per-class recall), never on the photos; the photo
sets are then only measured (Haar, the default framing, mirror TTA, largest face, accuracy over all
photos as `real_photos.py` counts it).

Run:
    python benchmarks/prior_shift.py --data ../shared/fer2013 --set jaffe=jaffe:PHOTOS/jaffe \\
        --set tfeid=tfeid:PHOTOS/tfeid --set wild=legend:PHOTOS/muxspace
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import numpy as np
import pandas as pd

TAUS = (0.0, 0.25, 0.5, 0.75, 1.0)


def shifted_labels(probabilities, prior, tau: float) -> np.ndarray:
    """argmax of probabilities / prior**tau (a -1 row, no face, stays -1).

    Example:
        >>> shifted_labels([[0.5, 0.4, 0.1]], [0.6, 0.3, 0.1], 1.0).tolist()
        [1]
    """
    p = np.asarray(probabilities, np.float64)
    return (p / np.asarray(prior, np.float64) ** tau).argmax(1)


def scores(y, probabilities, prior, taus=TAUS) -> pd.DataFrame:
    """Accuracy and balanced accuracy of each tau; `probabilities` rows of NaN count as wrong (no face)."""
    y, p = np.asarray(y), np.asarray(probabilities, np.float64)
    found = ~np.isnan(p).any(1)
    rows = []
    for tau in taus:
        pred = np.full(len(y), -1)
        pred[found] = shifted_labels(p[found], prior, tau)
        recalls = [np.mean(pred[y == k] == k) for k in np.unique(y)]
        rows.append({"tau": tau, "accuracy": np.mean(pred == y), "balanced accuracy": np.mean(recalls)})
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="the FER2013 folder")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=LAYOUT:DIR", help="as real_photos.py")
    parser.add_argument("--model", default="pretrained")
    args = parser.parse_args(argv)

    import cv2

    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    from real_photos import largest_faces, load_model, read_sets

    from keras_fer.data import arrays
    from keras_fer.detect import make_detector, read_image
    from keras_fer.faces.framing import crop_faces, framing_for
    from keras_fer.models import flip_tta

    model = flip_tta(load_model(args.model))
    _, y_fit = arrays("train_fit", manual_dir=args.data)
    prior = np.bincount(y_fit, minlength=7) / len(y_fit)
    x, y = arrays("validation", manual_dir=args.data)
    table = scores(y, model.predict(x.astype("float32"), batch_size=256, verbose=0), prior)
    tau = float(table.loc[table["balanced accuracy"].idxmax(), "tau"])
    print(f"train_fit prior: {np.round(prior, 3).tolist()}\n\n### validation ({len(y)} faces): tau {tau} "
          "has the best balanced accuracy\n")
    print(table.to_markdown(index=False, floatfmt=".4f"), flush=True)
    find = make_detector("haar")
    for name, items in read_sets(args.set, 150):
        greys = [cv2.cvtColor(read_image(path), cv2.COLOR_BGR2GRAY) for path, _ in items]
        boxes, found = largest_faces(greys, find)
        probs = np.full((len(items), 7), np.nan)
        if found:
            crops = np.concatenate([crop_faces(greys[i], boxes[i][None], framing_for("haar", None)) for i in found])
            probs[found] = model.predict(crops.astype("float32"), batch_size=64, verbose=0)
        print(f"\n### {name} ({len(items)} photos)\n")
        print(scores([label for _, label in items], probs, prior).to_markdown(index=False, floatfmt=".3f"), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
