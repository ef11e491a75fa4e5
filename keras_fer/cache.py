"""The cache of prepared FER2013 copies (`~/.cache/keras_fer/tfds`, or `$KERAS_FER_CACHE/tfds`): where
one goes, what is there, and clearing it (`keras-fer cache list|clear`).

Example:
    >>> from keras_fer import cache
    >>> [entry["state"] for entry in cache.entries()]                      # doctest: +SKIP
    ['complete', 'incomplete']
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import shutil
from typing import List


def root() -> pathlib.Path:
    """The folder holding one prepared copy per source: `$KERAS_FER_CACHE/tfds` or `~/.cache/keras_fer/tfds`."""
    return pathlib.Path(os.environ.get("KERAS_FER_CACHE", str(pathlib.Path("~/.cache/keras_fer").expanduser()))) / "tfds"


def prepared_dir(manual_dir: pathlib.Path, layout) -> pathlib.Path:
    """Where the prepared copy of one manual dir lives: keyed by its path and its files' stamps, so two
    sources (or a source whose files changed) never share a copy."""
    stamp = [str(manual_dir.resolve()), layout.name]
    for path in layout.paths:
        st = path.stat()
        stamp.append(f"{path.name}:{st.st_size}:{st.st_mtime_ns}")
    return root() / hashlib.sha1("|".join(stamp).encode()).hexdigest()[:12]


def record_source(folder: pathlib.Path, manual_dir: pathlib.Path, layout) -> None:
    """Notes, beside a complete prepared copy, which files it was made from."""
    (folder / "source.json").write_text(json.dumps({"manual_dir": str(manual_dir.resolve()), "layout": layout.name}))


def _size(folder: pathlib.Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def entries() -> List[dict]:
    """Each prepared copy: `{"path", "bytes", "state" ("complete" or "incomplete"), "source"}`."""
    out = []
    if not root().is_dir():
        return out
    for folder in sorted(p for p in root().iterdir() if p.is_dir()):
        complete = any(folder.glob("fer2013/*/dataset_info.json"))
        source = json.loads((folder / "source.json").read_text()) if (folder / "source.json").is_file() else {}
        out.append({"path": str(folder), "bytes": _size(folder), "state": "complete" if complete else "incomplete",
                    "source": source.get("manual_dir", "?")})
    return out


def clear(incomplete_only: bool = False) -> List[dict]:
    """Removes the prepared copies (only those a failed preparation left, with `incomplete_only`); returns them."""
    removed = [e for e in entries() if not incomplete_only or e["state"] == "incomplete"]
    for entry in removed:
        shutil.rmtree(entry["path"], ignore_errors=True)
    return removed
