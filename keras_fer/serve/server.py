"""`keras-fer serve`: the app under uvicorn, on loopback unless told otherwise.

Example:
    >>> from keras_fer.serve import serve                                        # doctest: +SKIP
    >>> serve(port=8000)  # http://127.0.0.1:8000/ until Ctrl-C                 # doctest: +SKIP
"""

from __future__ import annotations

import ipaddress
import sys


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable only from this machine.

    Example:
        >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0"), is_loopback("::1")
        (True, True, False, True)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(host: str = "127.0.0.1", port: int = 8000, detector=None, **limits) -> None:
    """Serve `create_app(detector, **limits)` until Ctrl-C, saying where (and warning when `host` is
    reachable from other machines)."""
    import uvicorn

    from keras_fer.serve.app import create_app

    app = create_app(detector, **limits)
    shown = f"[{host}]" if ":" in host else host
    if not is_loopback(host):
        print(f"keras-fer serve: listening on {host}: other machines on your network can reach this page and API "
              "(use --host 127.0.0.1 to keep it to this machine)", file=sys.stderr)
    print(f"keras-fer serve: http://{shown}:{port}/  (API: POST /api/detect; Ctrl-C stops)", file=sys.stderr)
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)
