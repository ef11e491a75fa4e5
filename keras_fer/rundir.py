"""Run folders: whether one may be used for a configuration, and the lock two trainers cannot share.

Example:
    >>> differences({"epochs": 3}, {"epochs": 4})
    {'epochs': (3, 4)}
"""

from __future__ import annotations

from keras_fer.errors import KerasFerError

import contextlib
import json
import os
import pathlib
import shutil
import socket
from typing import Optional

LOCK = ".lock"


class RunDirError(KerasFerError, RuntimeError):
    """A run folder that cannot be used as asked (another configuration, not a run folder, in use)."""


def _flatten(settings: dict) -> dict:
    flat = {k: v for k, v in settings.items() if k != "recipe_fields"}
    flat.update({f"recipe_fields.{k}": v for k, v in settings.get("recipe_fields", {}).items()})
    return flat


def differences(old: dict, new: dict, defaults: Optional[dict] = None) -> dict:
    """Settings that differ between a run folder's config and this run's: `{name: (old, new)}`.

    A setting that one side does not record (a keras-fer of another version wrote the folder) counts
    as the same when the other side holds its value in `defaults` (flat names, "recipe_fields.x" for
    a recipe's field: `keras_fer.training.config.settings_defaults()`).
    """
    old, new, defaults = _flatten(old), _flatten(new), defaults or {}
    missing = object()
    diff = {}
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key, missing), new.get(key, missing)
        if a is missing or b is missing:
            present = b if a is missing else a
            if key not in defaults or present == defaults[key]:
                continue
            a, b = (None if a is missing else a), (None if b is missing else b)
        if a != b:
            diff[key] = (a, b)
    return diff


def _contents(out: pathlib.Path):
    return [p for p in out.iterdir() if p.name != LOCK] if out.is_dir() else []


def check(out: pathlib.Path, settings: dict, overwrite: bool = False, defaults: Optional[dict] = None) -> str:
    """What `out` is for a run of `settings`: "new" (absent or empty), "resume" (the same settings,
    unfinished), "finished" (the same settings, all epochs done) or "replace" (another run, and
    `overwrite`). Raises `RunDirError` for another configuration or a folder that is not a run."""
    if not _contents(out):
        return "new"
    if overwrite:
        return "replace"
    config_path = out / "config.json"
    if not config_path.is_file():
        raise RunDirError(
            f"{out} is not empty and holds no config.json: not a keras-fer run folder. "
            "Choose another --out, or pass --overwrite to replace it."
        )
    diff = differences(json.loads(config_path.read_text())["settings"], settings, defaults)
    if diff:
        described = ", ".join(f"{k}: {a!r} -> {b!r}" for k, (a, b) in sorted(diff.items()))
        raise RunDirError(
            f"{out} holds a run with another configuration ({described}). Nothing was changed. "
            "Use another --out, the same settings to resume, or --overwrite to replace it."
        )
    summary = out / "summary.json"
    finished = summary.is_file() and json.loads(summary.read_text()).get("epochs") == settings["epochs"]
    return "finished" if finished else "resume"


def clear(out: pathlib.Path) -> None:
    """Removes everything in `out` but the lock (call it while holding the lock)."""
    for path in _contents(out):
        shutil.rmtree(path) if path.is_dir() else path.unlink()


@contextlib.contextmanager
def lock(out: pathlib.Path):
    """Holds `out/.lock` (an OS file lock, released by the kernel if the process dies) while inside.

    A second trainer refuses with the holder's PID; a lock file left by a killed process is taken
    over; the file is removed on release. Where `fcntl` does not exist (Windows), no lock is taken.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover
        yield
        return
    out.mkdir(parents=True, exist_ok=True)
    path = out / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "another process"
            raise RunDirError(f"{out} is in use by {holder}: another training writes there. Wait for it, "
                              "or use another --out.") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"PID {os.getpid()} on {socket.gethostname()}\n".encode(), 0)
        try:
            yield
        finally:  # a finished run leaves no lock file (a killed one does, and it is taken over)
            path.unlink(missing_ok=True)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
