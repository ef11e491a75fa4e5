"""Synthetic FER2013 fixtures in every source layout (random pixels, never real data), for tests.

Example:
    >>> import tempfile
    >>> write_fer2013_csv(tempfile.mkdtemp(), n_train=7, n_public=7).name
    'fer2013.csv'
"""

from __future__ import annotations

import gzip
import pathlib

import numpy as np

from tfds_fer2013 import CLASS_NAMES as CLASSES


def random_faces(n: int, seed: int = 0):
    """`n` random 48x48 uint8 images with labels cycling through 0..6, learnable by class.

    Each class gets its own mean brightness, so a model can beat chance on the fixture.
    """
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 7
    base = (labels * 30 + 20)[:, None, None]
    images = np.clip(base + rng.normal(0, 25, size=(n, 48, 48)), 0, 255).astype(np.uint8)
    return images, labels


def pixels_text(image) -> str:
    return " ".join(map(str, np.asarray(image).ravel().tolist()))


def write_fer2013_csv(folder, n_train=70, n_public=21, n_private=0, gz=False, icml=False, seed=0):
    """Writes `fer2013.csv` (or `.csv.gz`, or `icml_face_data.csv`) and returns its path."""
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    images, labels = random_faces(n_train + n_public + n_private, seed)
    usages = ["Training"] * n_train + ["PublicTest"] * n_public + ["PrivateTest"] * n_private
    if icml:
        lines = ["emotion, Usage, pixels"]
        lines += [f"{l}, {u}, {pixels_text(i)}" for i, l, u in zip(images, labels, usages)]
        name = "icml_face_data.csv"
    else:
        lines = ["emotion,pixels,Usage"] + [f"{l},{pixels_text(i)},{u}" for i, l, u in zip(images, labels, usages)]
        name = "fer2013.csv"
    text = "\n".join(lines) + "\n"
    if gz:
        path = folder / (name + ".gz")
        with gzip.open(path, "wt") as f:
            f.write(text)
    else:
        path = folder / name
        path.write_text(text)
    return path


def write_course_csv(folder, n_train=35, n_test=10, seed=0):
    """Writes the course layout `train.csv` (label,feature) and `test.csv` (id,feature)."""
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    images, labels = random_faces(n_train + n_test, seed)
    train = ["label,feature"] + [f"{l},{pixels_text(i)}" for i, l in zip(images[:n_train], labels[:n_train])]
    (folder / "train.csv").write_text("\n".join(train) + "\n")
    test = ["id,feature"] + [f"{k},{pixels_text(i)}" for k, i in enumerate(images[n_train:])]
    (folder / "test.csv").write_text("\n".join(test) + "\n")
    return folder / "train.csv"


def write_image_folders(folder, per_class_train=2, per_class_test=1, prefixes=True, seed=0, fmt="png"):
    """Writes `train/<class>/` and `test/<class>/` images; with prefixes, test holds Public+Private."""
    from PIL import Image

    folder = pathlib.Path(folder)
    rng = np.random.default_rng(seed)
    counter = 0
    for split, n in (("train", per_class_train), ("test", per_class_test)):
        for c, name in enumerate(CLASSES):
            d = folder / split / name
            d.mkdir(parents=True, exist_ok=True)
            for k in range(n):
                img = np.clip(c * 30 + 20 + rng.normal(0, 25, (48, 48)), 0, 255).astype(np.uint8)
                if not prefixes:
                    stem = f"img{counter:05d}"
                elif split == "train":
                    stem = f"Training_{counter:05d}"
                else:
                    stem = f"{'PublicTest' if k % 2 == 0 else 'PrivateTest'}_{counter:05d}"
                Image.fromarray(img, "L").save(d / f"{stem}.{fmt}")
                counter += 1
    return folder
