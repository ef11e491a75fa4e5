"""tfds_fer2013.readers: every layout reads; every bad input is refused with file, line and expectation."""

import gzip
import re

import numpy as np
import pytest
from PIL import Image

from tfds_fer2013 import readers, testing
from tfds_fer2013.readers import FerDataError, FerLayoutError

ROW = " ".join(["128"] * 2304)


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_fer2013_csv_splits_labels_and_pixels(tmp_path):
    testing.write_fer2013_csv(tmp_path, n_train=14, n_public=7, n_private=7)
    splits = readers.read_labelled(tmp_path)
    assert sorted(splits) == ["private_test", "public_test", "train"]
    x, y = splits["train"]
    assert x.shape == (14, 48, 48, 1) and x.dtype == np.uint8 and y.dtype == np.int64
    images, labels = testing.random_faces(28)
    np.testing.assert_array_equal(x[..., 0], images[:14])
    np.testing.assert_array_equal(y, labels[:14])
    np.testing.assert_array_equal(splits["private_test"][1], labels[21:])


@pytest.mark.parametrize("kind", ["gz", "icml", "course", "folders", "folders_noprefix"])
def test_every_layout(tmp_path, kind):
    if kind == "gz":
        testing.write_fer2013_csv(tmp_path, n_train=7, n_public=7, gz=True)
        expected = {"train": 7, "public_test": 7}
    elif kind == "icml":
        testing.write_fer2013_csv(tmp_path, n_train=7, n_public=7, icml=True)
        expected = {"train": 7, "public_test": 7}
    elif kind == "course":
        testing.write_course_csv(tmp_path, n_train=14, n_test=5)
        expected = {"train": 14}
    elif kind == "folders":
        testing.write_image_folders(tmp_path, per_class_train=1, per_class_test=2)
        expected = {"train": 7, "public_test": 7, "private_test": 7}
    else:  # usage from the folder name when files carry no prefix
        testing.write_image_folders(tmp_path, per_class_train=1, per_class_test=1, prefixes=False)
        expected = {"train": 7, "public_test": 7}
    splits = readers.read_labelled(tmp_path)
    assert {k: len(v[1]) for k, v in splits.items()} == expected
    assert sorted(set(splits["train"][1].tolist())) == list(range(7))


def test_missing_dir_and_empty_dir_give_download_instructions(tmp_path):
    with pytest.raises(FerLayoutError, match="(?s)does not exist.*kaggle.com"):
        readers.find_layout(tmp_path / "nope")
    with pytest.raises(FerLayoutError, match=r"(?s)No FER2013 files in .*fer2013\.csv or fer2013\.csv\.gz"):
        readers.find_layout(tmp_path)


def test_unknown_layout_names_what_is_there(tmp_path):
    write(tmp_path / "faces.csv", "a,b\n1,2\n")
    with pytest.raises(FerLayoutError, match=r"holds: \['faces.csv'\]"):
        readers.find_layout(tmp_path)


def test_two_layouts_at_once_are_named(tmp_path):
    testing.write_fer2013_csv(tmp_path, n_train=7, n_public=0)
    testing.write_course_csv(tmp_path, n_train=7, n_test=1)
    with pytest.raises(FerLayoutError, match=r"more than one FER2013 layout: fer2013_csv \(fer2013.csv\); course_csv \(train.csv\)"):
        readers.find_layout(tmp_path)


@pytest.mark.parametrize(
    "row, message",
    [
        ("3," + " ".join(["1"] * 2303) + ",Training", "line 3: 2303 pixel values, expected 2304"),
        ("3," + " ".join(["1"] * 2305) + ",Training", "line 3: 2305 pixel values, expected 2304"),
        ("3," + " ".join(["1"] * 2303 + ["12.5"]) + ",Training", "line 3: pixel 2304 is '12.5', expected an integer in 0..255"),
        ("3," + " ".join(["1"] * 100 + ["x"] + ["1"] * 2203) + ",Training", "line 3: pixel 101 is 'x', expected an integer in 0..255"),
        ("3," + " ".join(["256"] + ["1"] * 2303) + ",Training", "line 3: pixel 1 is 256, expected an integer in 0..255"),
        ("3," + " ".join(["-1"] + ["1"] * 2303) + ",Training", "line 3: pixel 1 is -1, expected an integer in 0..255"),
        ("7," + ROW + ",Training", "line 3: emotion is '7', expected an integer label in 0..6"),
        ("-1," + ROW + ",Training", "line 3: emotion is '-1', expected an integer label in 0..6"),
        ("happy," + ROW + ",Training", "line 3: emotion is 'happy', expected an integer label in 0..6"),
        ("2.5," + ROW + ",Training", "line 3: emotion is '2.5', expected an integer label in 0..6"),
        ("3," + ROW + ",Validation", "line 3: Usage is 'Validation', expected one of"),
    ],
)
def test_bad_rows_name_file_line_and_expectation(tmp_path, row, message):
    path = write(tmp_path / "fer2013.csv", f"emotion,pixels,Usage\n0,{ROW},Training\n{row}\n")
    with pytest.raises(FerDataError, match=re.escape(f"{path} {message}")):
        readers.read_labelled(tmp_path)


def test_bad_row_in_gzip_is_found_too(tmp_path):
    path = tmp_path / "fer2013.csv.gz"
    with gzip.open(path, "wt") as f:
        f.write(f"emotion,pixels,Usage\n0,{ROW},Training\n0,1 2 3,PublicTest\n")
    with pytest.raises(FerDataError, match=re.escape(f"{path} line 3: 3 pixel values, expected 2304")):
        readers.read_labelled(tmp_path)


def test_missing_column(tmp_path):
    path = write(tmp_path / "fer2013.csv", f"emotion,pixels\n0,{ROW}\n")
    with pytest.raises(FerDataError, match=re.escape(f"{path} line 1: missing column(s) ['Usage']")):
        readers.read_labelled(tmp_path)


def test_empty_file_and_header_only(tmp_path):
    path = write(tmp_path / "fer2013.csv", "")
    with pytest.raises(FerDataError, match=re.escape(f"{path}: the file is empty")):
        readers.read_labelled(tmp_path)
    write(path, "emotion,pixels,Usage\n")
    with pytest.raises(FerDataError, match="header only, no data rows"):
        readers.read_labelled(tmp_path)


def test_colour_images_are_converted_other_sizes_refused_or_resized(tmp_path):
    testing.write_image_folders(tmp_path, per_class_train=1, per_class_test=1)
    colour = tmp_path / "train" / "happy" / "Training_99999.png"
    Image.new("RGB", (48, 48), (255, 0, 0)).save(colour)
    x, _ = readers.read_labelled(tmp_path)["train"]
    assert x.shape == (8, 48, 48, 1)
    assert 76 in x[..., 0].reshape(8, -1)[:, 0]  # PIL's luma of pure red
    big = tmp_path / "train" / "sad" / "Training_88888.png"
    Image.new("L", (64, 64)).save(big)
    with pytest.raises(FerDataError, match=re.escape(f"{big}: image is 64x64, expected 48x48 grayscale")):
        readers.read_labelled(tmp_path)
    assert readers.load_image(big, resize=True).shape == (48, 48, 1)


def test_unknown_class_folder_and_unreadable_image(tmp_path):
    testing.write_image_folders(tmp_path, per_class_train=1, per_class_test=1)
    (tmp_path / "train" / "contempt").mkdir()
    with pytest.raises(FerDataError, match="unknown class folder 'contempt', expected one of angry"):
        readers.read_labelled(tmp_path)
    (tmp_path / "train" / "contempt").rmdir()
    bad = write(tmp_path / "train" / "fear" / "Training_77777.jpg", "not an image")
    with pytest.raises(FerDataError, match=re.escape(f"{bad}: not a readable image")):
        readers.read_labelled(tmp_path)


def test_read_unlabeled_csv_course_and_folder(tmp_path):
    path = write(tmp_path / "test.csv", f"id,pixels\n10,{ROW}\n3,{ROW}\n")
    ids, x = readers.read_unlabeled(path)
    assert ids.tolist() == [10, 3] and x.shape == (2, 48, 48, 1)
    testing.write_course_csv(tmp_path / "course", n_train=7, n_test=4)
    ids, x = readers.read_unlabeled(tmp_path / "course" / "test.csv")
    assert ids.tolist() == [0, 1, 2, 3]
    folder = tmp_path / "imgs"
    folder.mkdir()
    for name in ("b", "a"):
        Image.new("L", (48, 48)).save(folder / f"{name}.png")
    ids, x = readers.read_unlabeled(folder)
    assert ids.tolist() == ["a", "b"] and x.shape == (2, 48, 48, 1)


def test_read_unlabeled_refuses_repeated_ids_and_missing_pixels(tmp_path):
    path = write(tmp_path / "test.csv", f"id,pixels\n1,{ROW}\n2,{ROW}\n1,{ROW}\n")
    with pytest.raises(FerDataError, match=re.escape(f"{path} line 4: id '1' repeats an earlier row")):
        readers.read_unlabeled(path)
    path = write(tmp_path / "t2.csv", "id,image\n1,x\n")
    with pytest.raises(FerDataError, match="missing column 'pixels'"):
        readers.read_unlabeled(path)


def write_gz(path, text):
    with gzip.open(path, "wt") as f:
        f.write(text)
    return path


def test_broken_files_are_one_line_naming_the_file(tmp_path):
    good = write_gz(tmp_path / "src.csv.gz", "emotion,pixels,Usage\n" + f"0,{ROW},Training\n" * 200)
    cases = {
        "truncated": (good.read_bytes()[: len(good.read_bytes()) // 2], "a truncated or corrupt gzip file"),
        "not gzip": (b"this is not gzip data at all" * 10, "a truncated or corrupt gzip file"),
    }
    for name, (blob, message) in cases.items():
        folder = tmp_path / name.replace(" ", "_")
        folder.mkdir()
        (folder / "fer2013.csv.gz").write_bytes(blob)
        with pytest.raises(FerDataError, match=re.escape(f"{folder / 'fer2013.csv.gz'}: {message}")) as info:
            readers.read_labelled(folder)
        assert "\n" not in str(info.value)
    latin = tmp_path / "latin"
    latin.mkdir()
    (latin / "fer2013.csv").write_bytes("emotion,pixels,Usage\n0,é,Training\n".encode("latin-1"))
    with pytest.raises(FerDataError, match="not a UTF-8 text CSV file"):
        readers.read_labelled(latin)
    folder = tmp_path / "dir"
    (folder / "fer2013.csv").mkdir(parents=True)
    with pytest.raises((FerDataError, FerLayoutError), match="fer2013.csv"):
        readers.read_labelled(folder)


def test_read_unlabeled_takes_one_image_and_refuses_twins(tmp_path):
    Image.fromarray(np.full((48, 48), 9, np.uint8)).save(tmp_path / "a.png")
    ids, x = readers.read_unlabeled(tmp_path / "a.png")
    assert ids.tolist() == ["a"] and x.shape == (1, 48, 48, 1) and (x == 9).all()
    Image.fromarray(np.full((48, 48), 9, np.uint8)).save(tmp_path / "a.jpg")
    with pytest.raises(FerDataError, match=r"a\.png: id 'a' repeats .*a\.jpg"):
        readers.read_unlabeled(tmp_path)


def test_a_resized_image_file_equals_the_face_pipelines_crop_of_the_whole_photo(tmp_path):
    from keras_fer.faces.framing import Framing, crop_faces

    rng = np.random.default_rng(0)
    for side in (96, 40):  # shrunk (area averaging) and enlarged (bilinear)
        photo = rng.integers(0, 256, (side, side), dtype=np.uint8)
        Image.fromarray(photo).save(tmp_path / f"p{side}.png")
        from_file = readers.load_image(tmp_path / f"p{side}.png", resize=True)
        cropped = crop_faces(photo, [(0, 0, side, side)], Framing(1.0))[0]
        assert np.array_equal(from_file, cropped) and from_file.shape == (48, 48, 1)
