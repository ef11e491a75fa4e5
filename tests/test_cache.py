"""keras_fer.cache / `keras-fer cache`: one prepared copy per source, listed and cleared."""

from keras_fer import cache, data
from keras_fer.cli import main
from tfds_fer2013.testing import write_fer2013_csv


def test_list_and_clear(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KERAS_FER_CACHE", str(tmp_path / "cache"))
    write_fer2013_csv(tmp_path / "a", n_train=14, n_public=7)
    data.prepare(tmp_path / "a")
    left = cache.root() / "0123456789ab" / "fer2013" / "incomplete.XYZ"  # what a failed preparation leaves
    left.mkdir(parents=True)
    (left / "part").write_bytes(b"x" * 1000)
    entries = cache.entries()
    assert sorted(e["state"] for e in entries) == ["complete", "incomplete"]
    complete = next(e for e in entries if e["state"] == "complete")
    assert complete["source"] == str((tmp_path / "a").resolve()) and complete["bytes"] > 0
    assert main(["cache", "list"]) == 0
    out = capsys.readouterr().out
    assert "2 prepared copies" in out and str(tmp_path / "a") in out
    assert main(["cache", "clear", "--incomplete"]) == 0
    assert [e["state"] for e in cache.entries()] == ["complete"]
    assert main(["cache", "clear"]) == 0
    assert "removed 1 prepared copy" in capsys.readouterr().out and cache.entries() == []
