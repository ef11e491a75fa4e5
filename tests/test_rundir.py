"""keras_fer.rundir: which run folders a configuration may use, and the lock two trainers cannot share."""

import json

import pytest

from keras_fer import rundir
from keras_fer.rundir import RunDirError, differences


def test_a_folder_written_before_a_setting_existed_resumes_at_its_default():
    new = {"model": "cnn", "epochs": 3, "recipe_fields": {"name": "seed", "batch_size": 128, "label_smoothing": 0.0}}
    old = {"model": "cnn", "epochs": 3, "removed_setting": "x", "recipe_fields": {"name": "seed", "batch_size": 128}}
    from keras_fer.training import settings_defaults

    defaults = settings_defaults()
    assert differences(old, new, defaults) == {}  # a removed setting, and a new one at its default
    assert differences(old, dict(new, recipe_fields=dict(new["recipe_fields"], label_smoothing=0.1)), defaults) == {
        "recipe_fields.label_smoothing": (None, 0.1)}
    assert differences(old, dict(new, epochs=4), defaults) == {"epochs": (3, 4)}
    assert differences(old, dict(new, recipe_fields=dict(new["recipe_fields"], mixup=0.2)), defaults) == {
        "recipe_fields.mixup": (None, 0.2)}


def test_check_says_new_resume_finished_or_replace(tmp_path):
    settings = {"model": "cnn", "epochs": 2}
    out = tmp_path / "run"
    assert rundir.check(out, settings) == "new"
    out.mkdir()
    (out / rundir.LOCK).write_text("PID 1")
    assert rundir.check(out, settings) == "new"  # a lock file alone is not a run
    (out / "config.json").write_text(json.dumps({"settings": settings}))
    assert rundir.check(out, settings) == "resume"
    (out / "summary.json").write_text(json.dumps({"epochs": 2}))
    assert rundir.check(out, settings) == "finished"
    with pytest.raises(RunDirError, match="epochs: 2 -> 3"):
        rundir.check(out, dict(settings, epochs=3))
    assert rundir.check(out, dict(settings, epochs=3), overwrite=True) == "replace"
    rundir.clear(out)
    assert [p.name for p in out.iterdir()] == [rundir.LOCK]


def test_the_lock_is_refused_inside_and_gone_after(tmp_path):
    with rundir.lock(tmp_path / "run"):
        assert (tmp_path / "run" / rundir.LOCK).read_text().startswith("PID ")
    assert not (tmp_path / "run" / rundir.LOCK).exists()
