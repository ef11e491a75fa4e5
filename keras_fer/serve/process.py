"""`keras-fer serve` in a child process: started, waited for until `/api/health` answers, stopped with
Ctrl-C as a person stops it. For notebooks, load tests and the test suite.

Example:
    >>> from keras_fer.serve.process import start_server, stop_server           # doctest: +SKIP
    >>> process, url = start_server("--no-tta")                                 # doctest: +SKIP
    >>> stop_server(process)                                                    # doctest: +SKIP
    (0, '...')
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Optional, Tuple

from keras_fer.errors import KerasFerError


class ServerStartError(KerasFerError, RuntimeError):
    """The server process exited, or did not answer, before it was ready."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def start_server(*flags: str, port: Optional[int] = None, timeout: float = 120.0) -> Tuple[subprocess.Popen, str]:
    """Starts `python -m keras_fer serve --port PORT FLAGS...` on loopback; returns `(process, base URL)`
    once `/api/health` answers 200. Its stdout and stderr are pipes (read them after `stop_server`)."""
    port = free_port() if port is None else int(port)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    process = subprocess.Popen([sys.executable, "-m", "keras_fer", "serve", "--port", str(port), *flags],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerStartError(f"keras-fer serve exited with status {process.returncode}: "
                                   f"{process.communicate()[1][-2000:]}")
        try:
            with urllib.request.urlopen(url + "/api/health", timeout=2) as answer:
                if answer.status == 200:
                    return process, url
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    process.kill()
    process.communicate()
    raise ServerStartError(f"keras-fer serve did not answer on {url} within {timeout:.0f} s")


def stop_server(process: subprocess.Popen, timeout: float = 30.0) -> Tuple[int, str]:
    """Ctrl-C (SIGINT), then waits; returns `(exit status, stderr)`. Kills it and raises
    `ServerStartError` when it has not stopped within `timeout` seconds."""
    process.send_signal(signal.SIGINT)
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise ServerStartError(f"keras-fer serve did not stop within {timeout:.0f} s of Ctrl-C") from None
    return process.returncode, err
