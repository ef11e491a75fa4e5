"""keras_fer.detect / `keras-fer detect`: faces in photos, folders and videos, classified in batches."""

import pathlib

import cv2
import keras
import numpy as np
import pandas as pd
import pytest

from keras_fer import CLASS_NAMES
from keras_fer.detect import COLUMNS, DetectError, EmotionDetector, detect, read_image

skimage_data = pytest.importorskip("skimage.data")


@pytest.fixture(scope="module")
def face_bgr():
    """A real photograph with one face, shipped inside scikit-image's wheel (no download)."""
    return np.ascontiguousarray(skimage_data.astronaut()[:, :, ::-1])


class CountingModel:
    """A tiny Keras model that records how many images each predict call gets."""

    def __init__(self):
        inputs = keras.Input((48, 48, 1))
        x = keras.layers.Rescaling(1 / 255)(inputs)
        self.model = keras.Model(inputs, keras.layers.Dense(7, activation="softmax")(keras.layers.Flatten()(x)))
        self.calls = []

    def predict_on_batch(self, x):
        assert x.shape[1:] == (48, 48, 1)
        self.calls.append(len(x))
        return self.model.predict_on_batch(x)


def write_photos(folder, face_bgr):
    """The face as jpg (colour), png (RGBA), grey png, 16-bit png, webp and bmp, a blank image and a broken file."""
    sub = folder / "deeper"
    sub.mkdir(parents=True)
    cv2.imwrite(str(folder / "colour.jpg"), face_bgr)
    cv2.imwrite(str(folder / "rgba.png"), cv2.cvtColor(face_bgr, cv2.COLOR_BGR2BGRA))
    cv2.imwrite(str(sub / "grey.png"), cv2.cvtColor(face_bgr, cv2.COLOR_BGR2GRAY))
    cv2.imwrite(str(sub / "sixteen.png"), face_bgr.astype(np.uint16) * 257)
    cv2.imwrite(str(folder / "colour.webp"), face_bgr)
    cv2.imwrite(str(folder / "colour.bmp"), face_bgr)
    cv2.imwrite(str(folder / "colour.tiff"), face_bgr)
    cv2.imwrite(str(folder / "blank.png"), np.full((200, 200, 3), 128, np.uint8))
    (folder / "broken.jpg").write_text("not an image")
    (folder / "notes.txt").write_text("ignored: not an image suffix")


def test_every_image_kind_in_a_folder_in_one_batch(tmp_path, face_bgr, capsys):
    write_photos(tmp_path / "photos", face_bgr)
    model = CountingModel()
    result = detect([tmp_path / "photos"], tmp_path / "out", model=model, progress=False, tta=False)
    table = pd.read_csv(tmp_path / "out" / "detections.csv")
    assert list(table.columns) == COLUMNS
    faces = table[table.label != "no_face"]
    assert sorted(faces.source.map(lambda s: s.split("/")[-1])) == sorted(
        ["colour.jpg", "rgba.png", "grey.png", "sixteen.png", "colour.webp", "colour.bmp", "colour.tiff"])
    assert set(faces.label) <= set(CLASS_NAMES)
    assert np.allclose(faces[[f"p_{c}" for c in CLASS_NAMES]].sum(axis=1), 1.0, atol=1e-3)
    assert table[table.label == "no_face"].source.str.endswith("blank.png").tolist() == [True]
    assert result["unreadable"] == [str(tmp_path / "photos" / "broken.jpg")]
    assert "broken.jpg" in capsys.readouterr().err
    assert model.calls == [7]  # all faces of all files in one predict call
    annotated = sorted(p.name for p in (tmp_path / "out" / "annotated").iterdir())
    assert "deeper__grey.png" in annotated and len({pathlib.Path(n).stem for n in annotated}) == len(annotated)
    # the box of one face is drawn in green on the copy
    x, y, w, h = faces.iloc[0][["x", "y", "w", "h"]].astype(int)
    copy = read_image(tmp_path / "out" / "annotated" / faces.iloc[0].source.split("/")[-1])
    assert tuple(copy[y + h // 2, x]) != tuple(face_bgr[y + h // 2, x])


def test_batches_hold_at_most_batch_size_faces(tmp_path, face_bgr):
    for i in range(5):
        cv2.imwrite(str(tmp_path / f"{i}.png"), face_bgr)
    model = CountingModel()
    detect([tmp_path], tmp_path / "out", model=model, batch_size=2, progress=False, annotate_images=False, tta=False)
    assert sum(model.calls) == 5 and max(model.calls) <= 2
    assert not (tmp_path / "out" / "annotated").exists()  # --no-annotate: no empty folder either


def test_a_video_every_second_frame(tmp_path, face_bgr):
    video = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (512, 512))
    for i in range(10):
        writer.write(np.roll(face_bgr, 4 * i, axis=1))
    writer.release()
    detect([video], tmp_path / "out", model=CountingModel(), every=2, progress=False, tta=False)
    table = pd.read_csv(tmp_path / "out" / "detections.csv")
    assert sorted(set(table.frame)) == [0, 2, 4, 6, 8]
    assert (tmp_path / "out" / "clip_timeline.png").stat().st_size > 0
    annotated = cv2.VideoCapture(str(tmp_path / "out" / "annotated" / "clip.webm"))
    assert int(annotated.get(cv2.CAP_PROP_FRAME_COUNT)) == 5
    assert not list((tmp_path / "out" / "annotated").glob(".*tmp*"))


def test_clear_errors(tmp_path):
    with pytest.raises(DetectError, match="no such file or folder"):
        detect([tmp_path / "missing.jpg"], tmp_path / "out", model=CountingModel(), progress=False, tta=False)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DetectError, match="no image or video files"):
        detect([tmp_path / "empty"], tmp_path / "out", model=CountingModel(), progress=False, tta=False)
    with pytest.raises(DetectError, match="detector='yolo'"):
        cv2.imwrite(str(tmp_path / "a.png"), np.zeros((10, 10), np.uint8))
        detect([tmp_path / "a.png"], tmp_path / "out", model=CountingModel(), detector="yolo", progress=False, tta=False)


def test_emotion_detector_takes_a_path_an_rgb_array_or_a_pil_image(tmp_path, face_bgr):
    from PIL import Image

    from keras_fer import EmotionDetector

    cv2.imwrite(str(tmp_path / "face.png"), face_bgr)
    model = CountingModel()
    detector = EmotionDetector(model=model, tta=False)
    rgb = face_bgr[:, :, ::-1]
    results = detector.detect_many([tmp_path / "face.png", rgb, Image.fromarray(rgb), face_bgr * 0])
    assert model.calls == [3]  # one predict for the faces of all four images
    by_path, by_array, by_pil, none = results
    assert none == [] and len(by_path) == 1 and by_path == by_array == by_pil
    face = by_path[0]
    assert set(face) == {"box", "label", "confidence", "probabilities"} and len(face["box"]) == 4
    assert face["label"] == max(face["probabilities"], key=face["probabilities"].get)
    alone = detector.detect(face_bgr, channels="bgr")  # a batch of one: the same up to float rounding
    assert [(f["box"], f["label"]) for f in alone] == [(face["box"], face["label"])]
    assert alone[0]["probabilities"] == pytest.approx(face["probabilities"], abs=1e-5)


def test_tta_averages_each_face_with_its_mirror():
    from keras_fer import EmotionDetector

    model = CountingModel().model
    crops = np.random.default_rng(2).integers(0, 256, (5, 48, 48, 1)).astype(np.uint8)
    got = EmotionDetector(model=model).classify(crops)  # tta is on by default
    x = crops.astype("float32")
    expected = (model.predict(x, verbose=0) + model.predict(x[:, :, ::-1], verbose=0)) / 2
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_exif_orientation_is_honoured_for_paths_and_pil_images(tmp_path, face_bgr):
    """A phone portrait: pixels stored sideways, EXIF Orientation=6 says "turn 90 degrees clockwise"."""
    from PIL import Image

    upright = np.ascontiguousarray(face_bgr[:, :400])  # 512 high, 400 wide
    stored = Image.fromarray(np.ascontiguousarray(np.rot90(upright, 1)[:, :, ::-1]))  # 400 high, 512 wide
    exif = Image.Exif()
    exif[0x0112] = 6
    stored.save(tmp_path / "portrait.jpg", exif=exif, quality=95)
    assert read_image(tmp_path / "portrait.jpg").shape == (512, 400, 3)
    finder = EmotionDetector(model=CountingModel(), tta=False)
    with Image.open(tmp_path / "portrait.jpg") as pil:
        for image in (tmp_path / "portrait.jpg", pil):
            boxes, _ = finder.faces(image)
            truth, _ = finder.faces(upright, "bgr")
            assert len(boxes) == 1 and np.abs(boxes - truth).max() <= 6, (boxes, truth)


def test_large_photos_are_searched_scaled_down_and_boxes_map_back(face_bgr):
    from keras_fer.detect import DETECT_MAX_SIDE

    big = cv2.resize(face_bgr, None, fx=4, fy=4, interpolation=cv2.INTER_CUBIC)  # 2048 px
    assert max(big.shape[:2]) > DETECT_MAX_SIDE
    finder = EmotionDetector(model=CountingModel(), tta=False)
    seen = []
    find = finder.find_faces
    finder.find_faces = lambda bgr: seen.append(bgr.shape) or find(bgr)
    boxes, crops = finder.faces(big, "bgr")
    small, _ = finder.faces(face_bgr, "bgr")
    assert max(seen[0][:2]) == DETECT_MAX_SIDE
    largest = boxes[np.argmax(boxes[:, 2])]
    assert len(small) == 1 and np.abs(largest / 4.0 - small[0]).max() <= 6 and crops.shape[1:] == (48, 48, 1)


def test_a_face_that_fills_its_photo_is_found_inside_a_border(face_bgr):
    from keras_fer.faces.detectors import HaarDetector

    (x, y, w, h), = HaarDetector()(face_bgr)
    tight = np.ascontiguousarray(face_bgr[y:y + h, x:x + w])  # the face fills the photo: no margin for the cascade
    assert len(HaarDetector(pad_fraction=0)(tight)) == 0
    (bx, by, bw, bh), = HaarDetector()(tight)
    # the box found inside the border is the face's, in the photo's own coordinates (reaching past its edges)
    assert abs(bx + bw / 2 - w / 2) < 0.1 * w and abs(by + bh / 2 - h / 2) < 0.15 * h and 0.8 * w < bw < 1.5 * w
    boxes, crops = EmotionDetector(model=CountingModel(), tta=False).faces(tight, "bgr")
    assert len(boxes) == 1 and crops.shape == (1, 48, 48, 1)
    assert len(HaarDetector()(np.full((120, 100, 3), 128, np.uint8))) == 0  # no face: none, border or not


def test_a_tilted_face_is_found_turned_and_boxed_around_its_centre(face_bgr):
    from keras_fer.faces.detectors import HaarDetector

    (x, y, w, h), = HaarDetector()(face_bgr)
    turn = cv2.getRotationMatrix2D((x + w / 2, y + h / 2), 30, 1.0)  # the face leans 30 degrees
    tilted = cv2.warpAffine(face_bgr, turn, face_bgr.shape[1::-1], borderMode=cv2.BORDER_REPLICATE)
    tight = np.ascontiguousarray(tilted[y:y + h, x:x + w])
    assert len(HaarDetector(rotations=())(tight)) == 0  # upright searches, bordered or not, miss it
    (bx, by, bw, bh), = HaarDetector()(tight)
    assert abs(bx + bw / 2 - w / 2) < 0.1 * w and abs(by + bh / 2 - h / 2) < 0.1 * h and 0.8 * w < bw < 1.4 * w
    # the whole photo, leaning: turning the wrong way finds a weaker false face (the chin); the surest is kept
    (bx, by, bw, bh), = HaarDetector()(tilted)
    assert abs(bx + bw / 2 - (x + w / 2)) < 0.1 * w and abs(by + bh / 2 - (y + h / 2)) < 0.1 * h


@pytest.mark.parametrize("picture", ["coffee", "chelsea", "moon", "immunohistochemistry", "rocket", "clock"])
def test_faceless_pictures_give_no_turned_face(picture):
    from keras_fer.faces.detectors import HaarDetector

    image = np.asarray(getattr(skimage_data, picture)())
    grey = image if image.ndim == 2 else cv2.cvtColor(image[..., :3], cv2.COLOR_RGB2GRAY)
    detector = HaarDetector()
    bordered, _ = detector.bordered(grey)
    # turned as a photo without an upright face would be (the moon has an upright false face of its own)
    assert len(detector._search_turned(bordered)) == 0
    # nor a profile face (the moon's false profile face is the surest of these pictures': 6 neighbours)
    assert len(detector._search_profile(bordered)) == 0


def test_a_face_turned_sideways_is_found_by_the_profile_cascade():
    from keras_fer.faces.detectors import HaarDetector

    # scikit-image's cameraman looks to the right, into his camera: no frontal search finds his face
    bgr = cv2.cvtColor(np.asarray(skimage_data.camera()), cv2.COLOR_GRAY2BGR)
    assert len(HaarDetector(profile=False)(bgr)) == 0
    # the profile cascade knows faces looking left: it finds his in the mirror image, boxed back here
    (x, y, w, h), = HaarDetector()(bgr)
    assert abs(x + w / 2 - 226) < 15 and abs(y + h / 2 - 152) < 15 and 60 < w < 110


def test_two_people_in_a_video_keep_their_tracks(tmp_path, face_bgr):
    video = tmp_path / "two.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (1024, 512))
    for i in range(6):
        writer.write(np.concatenate([np.roll(face_bgr, 3 * i, axis=1), np.roll(face_bgr, -3 * i, axis=1)], axis=1))
    writer.release()
    detect([video], tmp_path / "out", model=CountingModel(), progress=False, tta=False)
    table = pd.read_csv(tmp_path / "out" / "detections.csv")
    assert set(table.track) == {1, 2} and (table.groupby("frame").track.nunique() == 2).all()
    left = table[table.x < 512].track
    assert left.nunique() == 1 and table[table.x >= 512].track.nunique() == 1 and left.iloc[0] not in set(
        table[table.x >= 512].track)


def test_a_long_faceless_video_is_never_held_in_memory(tmp_path, monkeypatch):
    import keras_fer.faces.job as detect_module

    video = tmp_path / "empty.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 25.0, (160, 120))
    for i in range(120):
        writer.write(np.full((120, 160, 3), 40 + i, np.uint8))
    writer.release()
    held = []
    flush = detect_module._Classifier.flush
    monkeypatch.setattr(detect_module._Classifier, "flush", lambda self: held.append(len(self.items)) or flush(self))
    detect([video], tmp_path / "out", model=CountingModel(), batch_size=8, progress=False, tta=False)
    assert max(held) <= 8 and sum(held) == 120  # frames pass in batches of 8 at most, none kept to the end
    assert (pd.read_csv(tmp_path / "out" / "detections.csv").label == "no_face").sum() == 120


def write_clip(path, face_bgr, n=4, fourcc="MJPG"):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), 10.0, (512, 512))
    for i in range(n):
        writer.write(np.roll(face_bgr, 4 * i, axis=1))
    writer.release()


def test_same_stems_never_overwrite_and_out_inside_the_input_is_not_read_back(tmp_path, face_bgr):
    folder = tmp_path / "in"
    folder.mkdir()
    write_clip(folder / "clip.avi", face_bgr)
    write_clip(folder / "clip.mkv", face_bgr)
    cv2.imwrite(str(folder / "clip.png"), face_bgr)
    out = folder / "out"  # inside the input folder
    for _ in range(2):  # the second run must not read the first run's outputs
        result = detect([folder], out, model=CountingModel(), progress=False, tta=False)
        assert result["files"] == 3
    names = sorted(p.name for p in (out / "annotated").iterdir())
    assert len(names) == 3 and len({pathlib.Path(n).stem for n in names}) == 3, names
    assert len(list(out.glob("*_timeline.png"))) == 2
    table = pd.read_csv(out / "detections.csv")
    faces = table[table.label != "no_face"]
    assert all(faces[c].dtype.kind == "i" for c in ("x", "y", "w", "h"))  # integers in every row


def test_ctrl_c_mid_video_keeps_what_was_found_and_a_playable_video(tmp_path, face_bgr, monkeypatch):
    write_clip(tmp_path / "a.avi", face_bgr, n=6)
    model = CountingModel()
    calls = []

    def interrupt_on_the_third_frame(x):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return CountingModel.predict_on_batch(model, x)

    monkeypatch.setattr(model, "predict_on_batch", interrupt_on_the_third_frame)
    with pytest.raises(KeyboardInterrupt):
        detect([tmp_path / "a.avi"], tmp_path / "out", model=model, batch_size=1, progress=False, tta=False)
    table = pd.read_csv(tmp_path / "out" / "detections.csv")
    assert sorted(table.frame) == [0, 1, 2]  # the frames read before the stop, classified on the way out
    video = cv2.VideoCapture(str(tmp_path / "out" / "annotated" / "a.webm"))
    assert video.read()[0]
    assert not [p for p in (tmp_path / "out").rglob(".*tmp*")]  # nothing hidden left behind


def test_bad_images_from_python_are_one_clear_error():
    finder = EmotionDetector(model=CountingModel(), tta=False)
    for bad in (None, np.zeros((0, 0, 3), np.uint8), np.zeros((5,), np.uint8), np.zeros((4, 4, 2), np.uint8)):
        with pytest.raises(DetectError, match="image"):
            finder.detect(bad)


def test_every_input_unreadable_is_a_failure(tmp_path, capsys):
    from keras_fer.cli import main

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jpg").write_text("no")
    assert main(["detect", str(tmp_path / "in"), "--out", str(tmp_path / "out")]) == 2
    assert "no input could be read" in capsys.readouterr().err
