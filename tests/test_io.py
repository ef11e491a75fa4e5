"""keras_fer.io: atomic writes leave the old file or the new one, never a part."""

import json
import os

import pytest

from keras_fer.io import atomic_path, write_json, write_text


def test_write_and_permissions(tmp_path):
    write_json(tmp_path / "a" / "x.json", {"b": 1, "a": [1, 2]})
    assert json.loads((tmp_path / "a" / "x.json").read_text()) == {"a": [1, 2], "b": 1}
    mode = (tmp_path / "a" / "x.json").stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


def test_failure_keeps_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "x.txt"
    write_text(target, "old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]


def test_temporary_keeps_the_suffix(tmp_path):
    with atomic_path(tmp_path / "best.keras") as tmp:
        assert tmp.name.endswith(".keras") and tmp.parent == tmp_path
        tmp.write_text("m")
