"""Load on `keras-fer serve` over loopback: N concurrent clients for T seconds, each posting a photo to
/api/detect as soon as its last answer came; requests/s, p50/p95 latency and errors, with dynamic
batching on and off (`--max-batch 1 --batch-window-ms 0`), and one client alone.

Each configuration starts its own `keras-fer serve` process (the bundled model, Haar, mirror TTA) and
warms it with a few requests first. Pin the whole run to cores with taskset: the server inherits them.

    taskset -c 0 python benchmarks/serve_load.py --clients 8 --seconds 20
    python benchmarks/serve_load.py --url http://127.0.0.1:8000 --clients 4 --seconds 5   # a running server

Tiny smoke run (CI): tests/test_serve_load.py calls `load()` against an in-process server.
"""

from __future__ import annotations

import argparse
import http.client
import json
import pathlib
import threading
import time
import urllib.parse

import numpy as np

from keras_fer.serve.process import start_server, stop_server

CONFIGS = {  # name -> (clients or None for --clients, serve flags)
    "one client": (1, []),
    "batching on": (None, []),
    "batching off": (None, ["--max-batch", "1", "--batch-window-ms", "0"]),
}


def load(url: str, body: bytes, clients: int, seconds: float, path: str = "/api/detect") -> dict:
    """`clients` threads, each with one keep-alive connection, posting `body` for `seconds`."""
    parts = urllib.parse.urlsplit(url)
    latencies, statuses, lock = [], {}, threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client():
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        try:
            while time.perf_counter() < stop_at:
                start = time.perf_counter()
                try:
                    connection.request("POST", path, body=body, headers={"Content-Type": "image/jpeg"})
                    answer = connection.getresponse()
                    answer.read()
                    status = answer.status
                except (OSError, http.client.HTTPException):
                    status = "connection error"
                    connection.close()
                    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
                with lock:
                    latencies.append(time.perf_counter() - start)
                    statuses[status] = statuses.get(status, 0) + 1
        finally:
            connection.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    ms = np.asarray(latencies) * 1000
    ok = statuses.get(200, 0)
    return {"clients": clients, "seconds": round(wall, 1), "requests": len(latencies), "ok": ok,
            "errors": len(latencies) - ok, "statuses": {str(k): v for k, v in statuses.items()},
            "requests_per_s": round(ok / wall, 2),
            "p50_ms": round(float(np.percentile(ms, 50)), 1) if len(ms) else None,
            "p95_ms": round(float(np.percentile(ms, 95)), 1) if len(ms) else None}


def health(url: str) -> dict:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        connection.request("GET", "/api/health")
        return json.loads(connection.getresponse().read())
    finally:
        connection.close()


def photo_bytes(path) -> bytes:
    if path:
        return pathlib.Path(path).read_bytes()
    import io

    from PIL import Image
    from skimage import data

    buffer = io.BytesIO()
    Image.fromarray(data.astronaut()).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--photo", default=None, help="the image each request sends (default: the astronaut, "
                                                       "512x512 JPEG, one face)")
    parser.add_argument("--url", default=None, help="load a running server instead of starting one per row")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--json", default=None, help="also write the rows here")
    args = parser.parse_args()
    body = photo_bytes(args.photo)
    rows = []
    configs = {"given server": (None, None)} if args.url else CONFIGS
    for name, (clients, flags) in configs.items():
        process, url = (None, args.url) if args.url else start_server(*flags, port=args.port)
        try:
            load(url, body, 2, 2.0)  # warm-up: the first calls compile
            row = {"config": name, **load(url, body, clients or args.clients, args.seconds)}
            stats = health(url)
            row["faces_per_model_call"] = stats.get("faces_per_call")
        finally:
            if process is not None:
                stop_server(process)
        rows.append(row)
        print(json.dumps(row), flush=True)
    import pandas as pd

    table = pd.DataFrame(rows)[["config", "clients", "seconds", "requests_per_s", "p50_ms", "p95_ms", "errors",
                                "faces_per_model_call"]]
    print(table.to_markdown(index=False))
    by = {r["config"]: r["requests_per_s"] for r in rows}
    if "batching on" in by and by.get("batching off"):
        print(f"batching gain at {args.clients} clients: {by['batching on'] / by['batching off']:.2f}x")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
