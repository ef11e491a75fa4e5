"""`keras-fer serve`: a local web page (webcam or a dropped photo) and an HTTP API for the emotions of faces.

Needs the `serve` extra (`pip install "keras-fer[serve]"`: FastAPI and uvicorn). Modules: `uploads`
(bytes -> image, or a 4xx), `batching` (faces of concurrent requests in shared model calls), `app` (the
routes and the page), `server` (uvicorn, loopback by default), `process` (a server in a child process,
started and stopped as a person would: notebooks, load tests).

Example:
    >>> from keras_fer.serve import create_app, serve                            # doctest: +SKIP
    >>> serve(host="127.0.0.1", port=8000)                                       # doctest: +SKIP
"""

from keras_fer.serve.app import create_app
from keras_fer.serve.server import is_loopback, serve

__all__ = ["create_app", "serve", "is_loopback"]
