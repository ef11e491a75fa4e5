"""The ASGI app of `keras-fer serve`: the page, and `POST /api/detect` beside it.

    POST /api/detect            an image (the request body, or the form field "image"): JSON faces
    POST /api/detect?stream=ID  the same, faces of successive frames of one stream get track numbers
    POST /api/annotate          an image: the JPEG with boxes and labels drawn
    GET  /api/health            the model, the detector and the batching counters
    GET  /                      the page (webcam or a dropped photo); its files ship in the package

Each request's image is decoded and its faces found in a worker thread; the faces of concurrent requests
are classified together (`DynamicBatcher`). Nothing is written to disk and no image is kept after its
answer. Bad uploads get a 4xx with `{"error": message}`; a full server answers 503 with Retry-After.

Example:
    >>> from starlette.testclient import TestClient                            # doctest: +SKIP
    >>> with TestClient(create_app()) as client:                               # doctest: +SKIP
    ...     client.post("/api/detect", content=open("photo.jpg", "rb").read()).json()["faces"][0]["label"]
    'happy'
"""


import asyncio
import collections
import concurrent.futures
import contextlib
import importlib.resources
import re
import threading
import time

import numpy as np

from keras_fer.faces.emotion_detector import face_records
from keras_fer.serve.batching import Busy, DynamicBatcher
from keras_fer.serve.uploads import MAX_PIXELS, MAX_UPLOAD_BYTES, UploadError, decode_upload
from tfds_fer2013 import CLASS_NAMES

STREAM_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and headers around the image


class _Streams:
    """Face trackers of the live streams (one per page), the least recently used dropped beyond `limit`."""

    def __init__(self, limit: int = 64):
        self.limit, self._items, self._lock = limit, collections.OrderedDict(), threading.Lock()

    def track(self, stream: str, boxes) -> list:
        from keras_fer.faces.tracking import IouTracker

        with self._lock:
            tracker, frame = self._items.pop(stream, (None, -1))
            tracker = tracker or IouTracker(max_gap=15)
            self._items[stream] = (tracker, frame + 1)
            while len(self._items) > self.limit:
                self._items.popitem(last=False)
            return tracker.update(frame + 1, boxes)


def _page_files():
    return importlib.resources.files("keras_fer.serve") / "static"


def create_app(detector=None, *, max_upload_bytes: int = MAX_UPLOAD_BYTES, max_pixels: int = MAX_PIXELS,
               max_batch: int = 64, window: float = 0.005, max_waiting: int = 64, workers: int = 2,
               max_active: int = 32):
    """The FastAPI app.

    Args:
        detector: an `EmotionDetector` (default: the bundled model, Haar, mirror TTA).
        max_upload_bytes, max_pixels: the largest upload accepted (413 beyond).
        max_batch, window: dynamic batching: faces per model call, seconds a call waits for more.
        max_waiting: requests that may wait for the model; max_active: requests in progress at all
            (decoding, finding faces, waiting, classifying); beyond either the answer is 503.
        workers: threads that decode images and find faces.
    """
    from fastapi import FastAPI, Request
    from fastapi.responses import HTMLResponse, JSONResponse, Response
    from fastapi.staticfiles import StaticFiles

    if detector is None:
        from keras_fer.faces.emotion_detector import EmotionDetector

        detector = EmotionDetector()
    local = threading.local()
    streams = _Streams()
    state = {"active": 0}

    def own_detector():
        if not hasattr(local, "detector"):
            local.detector = detector.for_thread()
        return local.detector

    def find_faces(data: bytes, keep_image: bool):
        bgr = decode_upload(data, max_upload_bytes, max_pixels)
        boxes, crops = own_detector().faces(bgr, "bgr")
        return bgr.shape[:2], boxes, crops, (bgr if keep_image else None)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        app.state.pool = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="keras-fer-faces")
        app.state.batcher = DynamicBatcher(detector.classify, max_batch=max_batch, window=window,
                                           max_waiting=max_waiting)
        await app.state.batcher.start()
        try:
            yield
        finally:
            await app.state.batcher.stop()
            app.state.pool.shutdown(wait=True, cancel_futures=True)

    app = FastAPI(title="keras-fer", summary="Facial expressions in photos and webcam frames",
                  lifespan=lifespan, docs_url="/api/docs", redoc_url=None, openapi_url="/api/openapi.json")
    app.mount("/static", StaticFiles(directory=str(_page_files())), name="static")

    @app.exception_handler(UploadError)
    async def upload_error(request, err: UploadError):
        return JSONResponse({"error": err.message}, status_code=err.status)

    @app.exception_handler(Busy)
    async def busy(request, err: Busy):
        return JSONResponse({"error": str(err)}, status_code=503, headers={"Retry-After": "1"})

    async def read_image_bytes(request: Request) -> bytes:
        """The image's bytes: the body itself, or the form field "image" (or the form's only file)."""
        limit = max_upload_bytes + FORM_OVERHEAD
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > limit:
            raise UploadError(413, f"the upload is {int(length):,} bytes: at most {max_upload_bytes:,} accepted")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise UploadError(413, f"the upload is over {max_upload_bytes:,} bytes: not accepted")
            chunks.append(chunk)
        body = b"".join(chunks)
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return body
        return await _form_file(request.headers, body, max_upload_bytes)

    async def faces_of(request: Request, keep_image: bool = False):
        if state["active"] >= max_active:
            raise Busy(f"{state['active']} requests in progress; try again shortly")
        state["active"] += 1
        try:
            data = await read_image_bytes(request)
            loop = asyncio.get_running_loop()
            size, boxes, crops, bgr = await loop.run_in_executor(request.app.state.pool, find_faces, data, keep_image)
            probs = await request.app.state.batcher.classify(crops) if len(crops) else np.zeros((0, len(CLASS_NAMES)))
            return size, boxes, probs, bgr
        finally:
            state["active"] -= 1

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page():
        return HTMLResponse((_page_files() / "index.html").read_text(encoding="utf-8"))

    @app.post("/api/detect", summary="The faces in an image, each with box, label and seven probabilities")
    async def api_detect(request: Request, stream: str | None = None):
        if stream is not None and not STREAM_ID.fullmatch(stream):
            raise UploadError(400, f"stream={stream[:80]!r}: expected 1-64 letters, digits, '-' or '_'")
        start = time.perf_counter()
        (height, width), boxes, probs, _ = await faces_of(request)
        faces = face_records(boxes, probs)
        if stream is not None:
            for face, track in zip(faces, streams.track(stream, boxes)):
                face["track"] = int(track)
        for face in faces:
            face["box"] = list(face["box"])
        return {"width": int(width), "height": int(height), "faces": faces,
                "seconds": round(time.perf_counter() - start, 4)}

    @app.post("/api/annotate", summary="The image as a JPEG with each face's box and label drawn",
              response_class=Response)
    async def api_annotate(request: Request):
        import cv2

        from keras_fer.faces.drawing import annotate

        _, boxes, probs, bgr = await faces_of(request, keep_image=True)
        faces = face_records(boxes, probs)
        out = annotate(bgr, boxes, [f["label"] for f in faces], [f["confidence"] for f in faces])
        ok, jpeg = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, 90])
        return Response(jpeg.tobytes(), media_type="image/jpeg", headers={"X-Faces": str(len(faces))})

    @app.get("/api/health", summary="The model, the detector and the batching counters")
    async def health(request: Request):
        model = getattr(detector, "model", None)
        return {"status": "ok", "model": getattr(model, "name", type(model).__name__),
                "detector": getattr(detector, "detector_name", None), "active": state["active"],
                **request.app.state.batcher.stats()}

    return app


async def _form_file(headers, body: bytes, max_bytes: int) -> bytes:
    """The file in a multipart form body, parsed in memory (never spooled to disk)."""
    from starlette.datastructures import UploadFile
    from starlette.formparsers import MultiPartException, MultiPartParser

    class InMemory(MultiPartParser):
        spool_max_size = max_bytes + FORM_OVERHEAD  # SpooledTemporaryFile stays in memory up to this

    async def once():
        yield body

    try:
        form = await InMemory(headers, once(), max_files=1, max_fields=16, max_part_size=max_bytes).parse()
    except MultiPartException as err:
        raise UploadError(400, f"the form cannot be read ({err.message})") from None
    files = [v for _, v in form.multi_items() if isinstance(v, UploadFile)]
    field = form.get("image")
    upload = field if isinstance(field, UploadFile) else (files[0] if len(files) == 1 else None)
    if upload is None:
        await form.close()
        raise UploadError(400, "the form has no file: send the image in the field 'image'")
    data = await upload.read()
    await form.close()
    return data
