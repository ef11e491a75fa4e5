"""Readers for every FER2013 source layout, shared by the TFDS builder and `keras_fer.data.arrays`.

Imports only numpy, pandas and PIL, so it works where TensorFlow is not installed. Every reader
validates the whole input before returning anything, and every error names the file, the line and
what was expected.

Example:
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "fer2013.csv").write_text(
    ...     "emotion,pixels,Usage\\n3," + " ".join(["7"] * 2304) + ",Training\\n")
    >>> x, y = read_labelled(d)["train"]
    >>> x.shape, x.dtype, y.tolist()
    ((1, 48, 48, 1), dtype('uint8'), [3])
"""

from __future__ import annotations

import dataclasses
import gzip
import pathlib
import warnings
import zlib
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from tfds_fer2013 import CLASS_NAMES, SPLITS  # noqa: F401  (the one home of these lists; re-exported)

IMAGE_SIZE = 48
NUM_PIXELS = IMAGE_SIZE * IMAGE_SIZE
USAGE_TO_SPLIT = dict(zip(("Training", "PublicTest", "PrivateTest"), SPLITS))
SPLITS: Tuple[str, ...] = tuple(USAGE_TO_SPLIT.values())
#: The image files every part of the package reads (the builder's folders, `keras-fer detect`).
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp")

MANUAL_DOWNLOAD_INSTRUCTIONS = """\
FER2013 cannot be downloaded automatically (its licence requires accepting the Kaggle
competition rules). Fetch ONE of these and put it, as named, directly in the manual dir
(default: ~/tensorflow_datasets/downloads/manual/, or the directory passed as --data / manual_dir):

  * fer2013.csv or fer2013.csv.gz   -- Kaggle "Challenges in Representation Learning: Facial
    Expression Recognition Challenge", file fer2013.tar.gz -> fer2013/fer2013.csv
    https://www.kaggle.com/c/challenges-in-representation-learning-facial-expression-recognition-challenge/data
  * icml_face_data.csv              -- the same competition's "icml_face_data.csv"
  * train.csv (label,feature)       -- the course (ML2017 HW3) layout; labelled rows only
  * train/<class>/*.jpg and test/<class>/*.jpg -- the image-folder copy
    (https://www.kaggle.com/datasets/msambare/fer2013), class folders named
    angry, disgust, fear, happy, sad, surprise, neutral
"""


class FerDataError(ValueError):
    """Input that is not valid FER2013 data; the message names the file, line and expectation."""


class FerLayoutError(FileNotFoundError):
    """No known FER2013 layout (or more than one) in a directory."""


@dataclasses.dataclass(frozen=True)
class Layout:
    """A FER2013 source layout found in a manual dir.

    Args:
        name: one of "fer2013_csv", "icml_csv", "course_csv", "image_folders".
        paths: the files or folders that hold it.
    """

    name: str
    paths: Tuple[pathlib.Path, ...]


# ---------------------------------------------------------------------------------------------
# Layout detection


def _first_existing(root: pathlib.Path, names: Sequence[str]) -> Optional[pathlib.Path]:
    for name in names:
        if (root / name).is_file():
            return root / name
    return None


def find_layout(manual_dir) -> Layout:
    """Returns the one FER2013 layout in `manual_dir`.

    Args:
        manual_dir: directory holding the user's FER2013 files.

    Returns:
        The `Layout` found.

    Raises:
        FerLayoutError: when the directory is missing, holds no known layout (the message carries
            the download instructions), or holds several.

    Example:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "icml_face_data.csv").write_text("x")
        >>> find_layout(d).name
        'icml_csv'
    """
    root = pathlib.Path(manual_dir).expanduser()
    if root.is_file():
        raise FerLayoutError(f"{root} is a file: give the folder that holds it ({root.parent})")
    if not root.is_dir():
        raise FerLayoutError(
            f"FER2013 manual dir {root} does not exist.\n\n{MANUAL_DOWNLOAD_INSTRUCTIONS}"
        )
    found: List[Layout] = []
    kaggle = _first_existing(root, ["fer2013.csv", "fer2013.csv.gz"])
    if kaggle is not None:
        found.append(Layout("fer2013_csv", (kaggle,)))
    icml = _first_existing(root, ["icml_face_data.csv", "icml_face_data.csv.gz"])
    if icml is not None:
        found.append(Layout("icml_csv", (icml,)))
    course = _first_existing(root, ["train.csv", "train.csv.gz"])
    if course is not None:
        found.append(Layout("course_csv", (course,)))
    folders = tuple(root / name for name in ("train", "test") if (root / name).is_dir())
    if folders:
        found.append(Layout("image_folders", folders))
    if not found:
        listing = sorted(p.name for p in root.iterdir())[:20]
        raise FerLayoutError(
            f"No FER2013 files in {root} (it holds: {listing or 'nothing'}).\n\n"
            f"{MANUAL_DOWNLOAD_INSTRUCTIONS}"
        )
    if len(found) > 1:
        described = "; ".join(f"{l.name} ({', '.join(p.name for p in l.paths)})" for l in found)
        raise FerLayoutError(
            f"{root} holds more than one FER2013 layout: {described}. Keep exactly one of them "
            "in the manual dir (move the others away) so that the splits are unambiguous."
        )
    return found[0]


# ---------------------------------------------------------------------------------------------
# CSV layouts


def _read_csv(path: pathlib.Path, required: Sequence[str]):
    """Reads a CSV (plain or .gz) as a pandas DataFrame of strings and checks its columns; header is line 1."""
    import pandas as pd  # here, not at the top: `keras-fer --help` never needs it

    try:
        # dtype=object: Python strings, as pandas < 3 gave for dtype=str; pandas 3 turns dtype=str into
        # pyarrow strings, which took fer2013.csv.gz from 2.2 to 4.4 s and are turned back here anyway
        frame = pd.read_csv(
            path, dtype=object, keep_default_na=False, skipinitialspace=True, compression="infer"
        )
    except pd.errors.EmptyDataError:
        raise FerDataError(f"{path}: the file is empty, expected a header {','.join(required)}")
    except IsADirectoryError:
        raise FerDataError(f"{path}: a folder, expected a CSV file") from None
    except PermissionError:
        raise FerDataError(f"{path}: no permission to read it") from None
    except UnicodeDecodeError as err:
        raise FerDataError(f"{path}: not a UTF-8 text CSV file (byte {err.start}: {err.reason})") from None
    except (EOFError, zlib.error, gzip.BadGzipFile) as err:
        raise FerDataError(f"{path}: a truncated or corrupt gzip file ({err}); download it again") from None
    except (OSError, pd.errors.ParserError, ValueError) as err:
        raise FerDataError(f"{path}: not a readable CSV file ({err})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise FerDataError(
            f"{path} line 1: missing column(s) {missing}; found {list(frame.columns)}, "
            f"expected {list(required)}"
        )
    if len(frame) == 0:
        raise FerDataError(f"{path}: header only, no data rows")
    return frame


def _describe_bad_pixels(text: str) -> str:
    tokens = text.split()
    for position, token in enumerate(tokens):
        try:
            value = int(token)
        except ValueError:
            return f"pixel {position + 1} is {token!r}, expected an integer in 0..255"
        if not 0 <= value <= 255:
            return f"pixel {position + 1} is {value}, expected an integer in 0..255"
    return f"{len(tokens)} pixel values, expected {NUM_PIXELS}"


def parse_pixels(texts: Sequence[str], path, first_line: int = 2) -> np.ndarray:
    """Parses space-separated pixel strings into uint8 images [N, 48, 48, 1].

    Args:
        texts: one string of 2304 integers 0..255 per row.
        path: the file the rows came from (for error messages).
        first_line: the file line number of `texts[0]` (2 for a CSV with a header).

    Returns:
        uint8 array of shape [N, 48, 48, 1].

    Raises:
        FerDataError: "fer2013.csv line 1208: 2303 pixel values, expected 2304" and the like.

    Example:
        >>> parse_pixels([" ".join(["1"] * 2304)], "x.csv").shape
        (1, 48, 48, 1)
    """
    out = np.empty((len(texts), NUM_PIXELS), dtype=np.uint8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # older numpy warns (instead of raising) on bad text
        for i, text in enumerate(texts):
            try:
                values = np.fromstring(text, dtype=np.int64, sep=" ")
            except ValueError:  # a token that is not an integer
                values = None
            if (
                values is None
                or values.shape[0] != NUM_PIXELS
                or values.min() < 0
                or values.max() > 255
            ):
                raise FerDataError(f"{path} line {first_line + i}: {_describe_bad_pixels(text)}")
            out[i] = values
    return out.reshape(-1, IMAGE_SIZE, IMAGE_SIZE, 1)


def parse_labels(texts: Sequence[str], path, column: str, first_line: int = 2) -> np.ndarray:
    """Parses label strings into int64 ids 0..6, naming the line of the first bad one.

    Example:
        >>> parse_labels(["0", "6"], "x.csv", "emotion").tolist()
        [0, 6]
    """
    import pandas as pd

    labels = pd.to_numeric(pd.Series(list(texts), dtype=str).str.strip(), errors="coerce")
    bad = labels.isna() | (labels % 1 != 0) | (labels < 0) | (labels >= len(CLASS_NAMES))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise FerDataError(
            f"{path} line {first_line + i}: {column} is {texts[i]!r}, expected an integer "
            f"label in 0..{len(CLASS_NAMES) - 1} ({', '.join(CLASS_NAMES)})"
        )
    return labels.to_numpy().astype(np.int64)


def _read_usage_csv(path: pathlib.Path, label_col: str, pixel_col: str):
    frame = _read_csv(path, [label_col, pixel_col, "Usage"])
    usage = frame["Usage"].str.strip()
    unknown = ~usage.isin(list(USAGE_TO_SPLIT))
    if unknown.any():
        i = int(np.flatnonzero(unknown.to_numpy())[0])
        raise FerDataError(
            f"{path} line {i + 2}: Usage is {usage.iloc[i]!r}, expected one of {list(USAGE_TO_SPLIT)}"
        )
    labels = parse_labels(frame[label_col].tolist(), path, label_col)
    images = parse_pixels(frame[pixel_col].tolist(), path)
    result = {}
    for usage_name, split in USAGE_TO_SPLIT.items():
        mask = (usage == usage_name).to_numpy()
        if mask.any():
            result[split] = (images[mask], labels[mask])
    return result


def _read_course_csv(path: pathlib.Path):
    frame = _read_csv(path, ["label", "feature"])
    labels = parse_labels(frame["label"].tolist(), path, "label")
    return {"train": (parse_pixels(frame["feature"].tolist(), path), labels)}


# ---------------------------------------------------------------------------------------------
# Image layouts


def resize_face(gray: np.ndarray, size: int = IMAGE_SIZE) -> np.ndarray:
    """A grey uint8 image `[H, W]` resized to `size` x `size`, as the whole package resizes faces (image
    folders, `predict --resize`, the faces cropped from photos): area averaging when shrinking (PIL's
    box filter), bilinear when enlarging.

    Example:
        >>> checker = np.indices((96, 96)).sum(axis=0) % 2 * 255
        >>> np.unique(resize_face(checker.astype(np.uint8))).tolist()   # each 2x2 block averaged
        [128]
    """
    from PIL import Image

    gray = np.ascontiguousarray(gray, dtype=np.uint8)
    if gray.shape[:2] == (size, size):
        return gray
    resample = Image.BOX if min(gray.shape[:2]) >= size else Image.BILINEAR
    return np.asarray(Image.fromarray(gray).resize((size, size), resample), dtype=np.uint8)


def load_image(path, resize: bool = False) -> np.ndarray:
    """Loads one face image as uint8 [48, 48, 1]; colour is converted to grayscale.

    Args:
        path: an image file PIL can read.
        resize: resize other sizes to 48x48 instead of raising.

    Returns:
        uint8 array [48, 48, 1].

    Example:
        >>> import tempfile, PIL.Image
        >>> f = tempfile.mktemp(suffix=".png"); PIL.Image.new("RGB", (48, 48)).save(f)
        >>> load_image(f).shape
        (48, 48, 1)
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image = image.convert("L")
            if image.size != (IMAGE_SIZE, IMAGE_SIZE):
                if not resize:
                    raise FerDataError(
                        f"{path}: image is {image.size[0]}x{image.size[1]}, expected "
                        f"{IMAGE_SIZE}x{IMAGE_SIZE} grayscale (pass resize=True / --resize to resize)"
                    )
            return resize_face(np.asarray(image, dtype=np.uint8))[:, :, None]
    except (UnidentifiedImageError, OSError) as err:
        raise FerDataError(f"{path}: not a readable image ({err})") from err


def list_images(folder) -> List[pathlib.Path]:
    """Image files directly in `folder`, sorted by name."""
    return sorted(
        p for p in pathlib.Path(folder).iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
    )


def _usage_from_name(path: pathlib.Path, folder_split: str) -> str:
    for usage, split in USAGE_TO_SPLIT.items():
        if path.name.startswith(usage + "_"):
            return split
    return folder_split


def _read_image_folders(folders: Sequence[pathlib.Path], resize: bool = False):
    folder_split = {"train": "train", "test": "public_test"}
    collected: Dict[str, Tuple[list, list]] = {}
    for folder in folders:
        for class_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
            name = class_dir.name.lower()
            if name not in CLASS_NAMES:
                raise FerDataError(
                    f"{class_dir}: unknown class folder {class_dir.name!r}, expected one of "
                    f"{', '.join(CLASS_NAMES)}"
                )
            label = CLASS_NAMES.index(name)
            for path in list_images(class_dir):
                split = _usage_from_name(path, folder_split[folder.name])
                images, labels = collected.setdefault(split, ([], []))
                images.append(load_image(path, resize=resize))
                labels.append(label)
    if not collected:
        raise FerDataError(
            f"{', '.join(map(str, folders))}: no images found, expected <class>/*.jpg|png with "
            f"class folders {', '.join(CLASS_NAMES)}"
        )
    return {
        split: (np.stack(images), np.asarray(labels, dtype=np.int64))
        for split, (images, labels) in collected.items()
    }


# ---------------------------------------------------------------------------------------------
# Public entry points


def read_layout(layout: Layout) -> Dict[str, Tuple[np.ndarray, np.ndarray]]:
    """Reads and validates every labelled split of `layout`.

    Returns:
        {split: (images uint8 [N, 48, 48, 1], labels int64 [N])} for the splits the source holds.
    """
    if layout.name in ("fer2013_csv", "icml_csv"):  # same columns; icml pads them with spaces
        return _read_usage_csv(layout.paths[0], "emotion", "pixels")
    if layout.name == "course_csv":
        return _read_course_csv(layout.paths[0])
    if layout.name == "image_folders":
        return _read_image_folders(layout.paths)
    raise FerLayoutError(f"unknown layout {layout.name!r}")


def read_labelled(manual_dir) -> Dict[str, Tuple[np.ndarray, np.ndarray]]:
    """Finds the layout in `manual_dir` and reads every labelled split it holds.

    Args:
        manual_dir: directory with one FER2013 layout.

    Returns:
        {split: (images uint8 [N, 48, 48, 1], labels int64 [N])}.
    """
    return read_layout(find_layout(manual_dir))


def read_unlabeled(path, resize: bool = False) -> Tuple[np.ndarray, np.ndarray]:
    """Reads images to predict: an `id,pixels` / `id,feature` CSV (plain or .gz), an image or a folder.

    Args:
        path: a Kaggle-style test CSV, a course `test.csv`, one image file, or a folder of images
            (ids = file names without suffix).
        resize: for folders, resize images that are not 48x48.

    Returns:
        (ids [N], images uint8 [N, 48, 48, 1]) in the input's order.

    Raises:
        FerDataError: bad rows, or ids that repeat (the first repeat is named).

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "test.csv"
        >>> _ = f.write_text("id,pixels\\n5," + " ".join(["0"] * 2304) + "\\n")
        >>> ids, x = read_unlabeled(f); ids.tolist(), x.shape
        ([5], (1, 48, 48, 1))
    """
    path = pathlib.Path(path)
    if path.is_dir() or path.suffix.lower() in IMAGE_SUFFIXES:
        if path.is_dir():
            files = list_images(path)
            if not files:
                raise FerDataError(f"{path}: no image files ({', '.join(IMAGE_SUFFIXES)})")
        elif path.is_file():
            files = [path]
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
        first = {}
        for f in files:
            if f.stem in first:
                raise FerDataError(f"{f}: id {f.stem!r} repeats {first[f.stem]} (ids are file names without "
                                   "suffix and must be unique)")
            first[f.stem] = f
        return np.asarray([p.stem for p in files]), np.stack([load_image(p, resize) for p in files])
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file or folder")
    frame = _read_csv(path, ["id"])
    pixel_col = next((c for c in ("pixels", "feature") if c in frame.columns), None)
    if pixel_col is None:
        raise FerDataError(
            f"{path} line 1: missing column 'pixels' (or 'feature'); found {list(frame.columns)}, "
            "expected id,pixels"
        )
    ids = frame["id"].str.strip()
    repeated = ids.duplicated()
    if repeated.any():
        i = int(np.flatnonzero(repeated.to_numpy())[0])
        raise FerDataError(f"{path} line {i + 2}: id {ids.iloc[i]!r} repeats an earlier row; ids must be unique")
    import pandas as pd

    numeric = pd.to_numeric(ids, errors="coerce")
    ids_out = numeric.to_numpy().astype(np.int64) if not numeric.isna().any() else ids.to_numpy()
    return ids_out, parse_pixels(frame[pixel_col].tolist(), path)
