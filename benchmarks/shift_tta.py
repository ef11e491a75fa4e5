"""Test-time averaging over more views than the mirror: shifted and zoomed copies of each face.

Each model sees every face of the validation split as several views (the face, its mirror, the face
shifted by S pixels up/down/left/right with edges replicated, a centre crop of 48-2S pixels enlarged
back to 48 as `keras_fer.zoom_tta` does, and the mirrors of all of them); the averaged probabilities
of each named set of views are scored. The set of views is chosen on validation only; `--public-test` then measures the chosen one and
the mirror alone once on public_test (the protocol of docs/results.md).

Run:
    python benchmarks/shift_tta.py --data ../shared/fer2013 --models pretrained pretrained:FerVGG:fer2013-long
    python benchmarks/shift_tta.py --data ../shared/fer2013 --models pretrained --public-test mirror+shift2
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import numpy as np
import pandas as pd


def shifted(x: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """`x` [N, H, W, C] moved by (dy, dx) pixels, the edges replicated into the space left behind.

    Example:
        >>> shifted(np.arange(3.0).reshape(1, 1, 3, 1), 0, 1)[0, 0, :, 0].tolist()
        [0.0, 0.0, 1.0]
    """
    s = max(abs(dy), abs(dx))
    if s == 0:
        return x
    h, w = x.shape[1:3]
    padded = np.pad(x, ((0, 0), (s, s), (s, s), (0, 0)), mode="edge")
    return padded[:, s - dy:s - dy + h, s - dx:s - dx + w]


def zoomed(x: np.ndarray, margin: int) -> np.ndarray:
    """The centre of `x` less `margin` pixels on each side, enlarged back to `x`'s size: the view that
    `keras_fer.zoom_tta` adds (its `CentreZoom` layer).

    Example:
        >>> zoomed(np.ones((2, 48, 48, 1), np.float32), 2).shape
        (2, 48, 48, 1)
    """
    from keras_fer.models.tta import CentreZoom

    return np.asarray(CentreZoom(margin)(x))


def views(x: np.ndarray, step: int = 2) -> dict:
    """Named views of `x`: identity, the four shifts by `step`, the centre zoom; each with its mirror."""
    base = {"id": x, "up": shifted(x, -step, 0), "down": shifted(x, step, 0), "left": shifted(x, 0, -step),
            "right": shifted(x, 0, step), "zoom": zoomed(x, step)}
    out = {}
    for name, v in base.items():
        out[name] = v
        out[name + "~"] = v[:, :, ::-1]
    return out


VIEW_SETS = {
    "plain": ["id"],
    "mirror": ["id", "id~"],
    "mirror+shift": ["id", "id~", "up", "up~", "down", "down~", "left", "left~", "right", "right~"],
    "mirror+zoom": ["id", "id~", "zoom", "zoom~"],
    "mirror+shift+zoom": ["id", "id~", "up", "up~", "down", "down~", "left", "left~", "right", "right~",
                          "zoom", "zoom~"],
    "mirror+horizontal": ["id", "id~", "left", "left~", "right", "right~"],
}


def view_probabilities(model, x: np.ndarray, step: int) -> dict:
    """{view name: probabilities [N, 7]} of `model` on each view of `x`."""
    return {name: model.predict(v, verbose=0, batch_size=512) for name, v in views(x, step).items()}


def score(probs: dict, y: np.ndarray, sets=VIEW_SETS) -> dict:
    """Accuracy of the mean probabilities of each set of views."""
    return {name: float(np.mean(np.mean([probs[v] for v in members], axis=0).argmax(1) == y))
            for name, members in sets.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="the FER2013 folder")
    parser.add_argument("--models", nargs="+", default=["pretrained"], help="as real_photos.py (A+B: an ensemble)")
    parser.add_argument("--steps", nargs="+", type=int, default=[2], help="shift / zoom margin in pixels")
    parser.add_argument("--public-test", default=None, metavar="VIEWS[@STEP]",
                        help="measure these views (a VIEW_SETS name, chosen on validation) and the mirror on public_test")
    parser.add_argument("--limit", type=int, default=None, help="only the first N faces (a smoke test)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    from real_photos import load_models

    from keras_fer.data import arrays

    split = "public_test" if args.public_test else "validation"
    x, y = arrays(split, manual_dir=args.data, limit=args.limit)
    x = x.astype("float32")
    rows = []
    for name, model in load_models(args.models).items():
        for step in args.steps:
            if args.public_test:
                chosen, _, given = args.public_test.partition("@")
                step = int(given or step)
                sets = {k: VIEW_SETS[k] for k in ("mirror", chosen)}
                every = views(x, step)
                probs = {v: model.predict(every[v], verbose=0, batch_size=512)
                         for v in sorted({v for m in sets.values() for v in m})}
            else:
                sets = VIEW_SETS
                probs = view_probabilities(model, x, step)
            row = {"model": name, "step": step, **score(probs, y, sets)}
            print(row, flush=True)
            rows.append(row)
            if args.public_test:
                break
    table = pd.DataFrame(rows)
    print(f"\n{split} accuracy ({len(y)} faces)\n" + table.to_string(index=False, float_format="%.4f"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
