"""keras_fer.serve.app: the HTTP API and the page, through FastAPI's TestClient (no socket)."""

import io
import re
import tempfile
import threading
import time

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
skimage_data = pytest.importorskip("skimage.data")

from starlette.testclient import TestClient  # noqa: E402

from keras_fer import CLASS_NAMES  # noqa: E402
from keras_fer.serve import create_app  # noqa: E402
from keras_fer.serve.app import _page_files  # noqa: E402
from test_serve_uploads import encoded, png_chunk, png_claiming  # noqa: E402


def jpeg_of(rgb, quality=95) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def astronaut():
    return jpeg_of(skimage_data.astronaut())


@pytest.fixture(scope="module")
def detector():
    """create_app's default detector (the bundled model, Haar, mirror TTA), built once for the module."""
    from keras_fer.faces.emotion_detector import EmotionDetector

    return EmotionDetector()


@pytest.fixture(scope="module")
def client(detector):
    """The app with the bundled model, as `keras-fer serve` runs it."""
    with TestClient(create_app(detector)) as c:
        yield c


def test_the_astronaut_is_one_happy_face(client, astronaut):
    answer = client.post("/api/detect", content=astronaut, headers={"Content-Type": "image/jpeg"})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["width"], body["height"]) == (512, 512)
    [face] = body["faces"]
    assert face["label"] == "happy" and face["confidence"] > 0.5
    assert list(face["probabilities"]) == list(CLASS_NAMES)
    assert sum(face["probabilities"].values()) == pytest.approx(1.0, abs=1e-3)
    x, y, w, h = face["box"]
    assert 150 < x < 200 and 40 < y < 100 and 70 < w < 130  # the astronaut's face, not her suit
    form = client.post("/api/detect", files={"image": ("photo.jpg", astronaut, "image/jpeg")}).json()
    assert form["faces"][0]["box"] == face["box"]
    assert form["faces"][0]["probabilities"] == pytest.approx(face["probabilities"], abs=1e-5)


def test_no_face_is_an_empty_list(client):
    blank = jpeg_of(np.full((120, 160, 3), 128, np.uint8))
    assert client.post("/api/detect", content=blank).json()["faces"] == []


def test_streams_number_their_people(client, astronaut):
    tracks = [client.post("/api/detect?stream=page-1", content=astronaut).json()["faces"][0]["track"]
              for _ in range(3)]
    assert tracks == [1, 1, 1]
    assert client.post("/api/detect?stream=page-2", content=astronaut).json()["faces"][0]["track"] == 1
    assert "track" not in client.post("/api/detect", content=astronaut).json()["faces"][0]


def test_annotate_answers_a_jpeg_with_the_face_marked(client, astronaut):
    answer = client.post("/api/annotate", content=astronaut)
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/jpeg"
    assert answer.headers["x-faces"] == "1"
    drawn = np.asarray(Image.open(io.BytesIO(answer.content)))
    assert drawn.shape == (512, 512, 3)
    original = np.asarray(Image.open(io.BytesIO(astronaut)))
    assert np.abs(drawn.astype(int) - original).max() > 100  # the box is drawn


def test_bad_requests_get_a_4xx_and_a_message(client):
    cases = {
        415: client.post("/api/detect", content=b"<html>not an image</html>"),
        400: client.post("/api/detect", content=b""),
        413: client.post("/api/detect", content=png_claiming(20_000, 20_000)),
    }
    for status, answer in cases.items():
        assert answer.status_code == status, answer.text
        assert answer.json()["error"]
        assert "Traceback" not in answer.text
    bad_stream = client.post("/api/detect?stream=../../etc", content=b"x")
    assert bad_stream.status_code == 400 and "stream=" in bad_stream.json()["error"]
    no_file = client.post("/api/detect", data={"name": "value"}, files={"other": ("", b"", "text/plain")})
    assert no_file.status_code in (400, 415)
    assert client.get("/api/detect").status_code == 405
    assert client.get("/no/such/page").status_code == 404


def test_uploads_over_the_limit_are_refused_and_nothing_spools_to_disk(monkeypatch, detector):
    # a valid 800x900 PNG made 2.5 MiB by a private chunk that decoders skip (noise pixels would do it
    # too, but OpenCV's face cascade then takes 2.5 s on each)
    png = encoded(Image.fromarray(np.full((800, 900, 3), 128, np.uint8)), "PNG")
    big = png[:33] + png_chunk(b"keFr", np.random.default_rng(0).bytes(5 * 2**19)) + png[33:]  # after IHDR
    assert len(big) > 2 * 2**20  # more than Starlette's default spool size (1 MiB)

    def no_disk(self):
        raise AssertionError("an upload was spooled to disk")

    monkeypatch.setattr(tempfile.SpooledTemporaryFile, "rollover", no_disk)
    with TestClient(create_app(detector, max_upload_bytes=4 * 2**20)) as small:
        for answer in (small.post("/api/detect", files={"image": ("big.png", big, "image/png")}),
                       small.post("/api/detect", content=big)):
            assert answer.status_code == 200 and answer.json()["faces"] == [], answer.text
    with TestClient(create_app(detector, max_upload_bytes=2**20)) as small:
        answer = small.post("/api/detect", content=big)
        assert answer.status_code == 413 and "1,048,576" in answer.json()["error"]
        answer = small.post("/api/detect", files={"image": ("big.png", big, "image/png")})
        assert answer.status_code == 413


class SlowDetector:
    """An EmotionDetector stand-in: one face per image, a model call that takes 0.2 s."""

    detector_name, model = "fake", None

    def __init__(self):
        self.calls = []

    def for_thread(self):
        return self

    def faces(self, bgr, channels):
        return np.array([[0, 0, 10, 10]]), np.zeros((1, 48, 48, 1), np.uint8)

    def classify(self, crops):
        self.calls.append(len(crops))
        time.sleep(0.2)
        return np.tile(np.eye(7)[3], (len(crops), 1))


def post_together(client, n, body):
    answers = [None] * n

    def one(i):
        answers[i] = client.post("/api/detect", content=body)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def test_concurrent_clients_are_batched_and_a_full_server_answers_503(astronaut):
    detector = SlowDetector()
    with TestClient(create_app(detector, window=0.05, workers=4)) as c:
        answers = post_together(c, 8, astronaut)
        assert [a.status_code for a in answers] == [200] * 8
        assert sum(detector.calls) == 8 and len(detector.calls) < 8  # shared model calls
        assert c.get("/api/health").json()["faces_per_call"] > 1
    with TestClient(create_app(SlowDetector(), window=0.0, max_batch=1, max_waiting=1, workers=4)) as c:
        answers = post_together(c, 8, astronaut)
        codes = sorted(a.status_code for a in answers)
        assert codes.count(503) >= 1 and codes.count(200) >= 2, codes
        busy = next(a for a in answers if a.status_code == 503)
        assert busy.headers["retry-after"] == "1" and "try again" in busy.json()["error"]


def test_the_page_ships_everything_it_loads(client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    assert sorted(assets) == ["/static/app.js", "/static/favicon.svg", "/static/style.css"]
    for asset in assets:
        assert client.get(asset).status_code == 200
    for file in _page_files().iterdir():  # no CDN, no font or script from elsewhere: works offline
        text = file.read_text(encoding="utf-8").replace('xmlns="http://www.w3.org/2000/svg"', "")  # a name, not a fetch
        assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), file.name
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["detector"] == "haar"
