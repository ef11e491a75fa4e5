"""`tfds.load("fer2013")` the two ways TFDS users know (files in TFDS' own manual dir under
$TFDS_DATA_DIR, in a fresh process as a user's script meets it; a manual dir named in
`download_and_prepare_kwargs`), and a clear error otherwise."""

import os
import subprocess
import sys

import pytest

from tfds_fer2013.testing import write_fer2013_csv

LOAD = """
import tfds_fer2013, tensorflow_datasets as tfds
ds = tfds.load("fer2013", split="public_test")
print("examples", sum(1 for _ in ds))
"""


def run(code, tfds_dir):
    env = dict(os.environ, TFDS_DATA_DIR=str(tfds_dir), TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)


def test_files_in_tfds_own_manual_dir(tmp_path):
    write_fer2013_csv(tmp_path / "tfds" / "downloads" / "manual", n_train=14, n_public=7)
    out = run(LOAD, tmp_path / "tfds")
    assert out.returncode == 0, out.stderr[-2000:]
    assert "examples 7" in out.stdout


def test_manual_dir_named_in_download_and_prepare_kwargs(tmp_path):
    import tensorflow_datasets as tfds

    import tfds_fer2013  # noqa: F401  (registers the builder)

    write_fer2013_csv(tmp_path / "fer", n_train=14, n_public=7)
    ds = tfds.load("fer2013", split="public_test", data_dir=str(tmp_path / "tfds"), download_and_prepare_kwargs={
        "download_config": tfds.download.DownloadConfig(manual_dir=str(tmp_path / "fer"))})
    assert sum(1 for _ in ds) == 7


def test_no_files_is_one_clear_error_and_leaves_nothing(tmp_path):
    import tensorflow_datasets as tfds

    from tfds_fer2013.readers import FerLayoutError

    with pytest.raises(FerLayoutError, match="FER2013 manual dir .* does not exist"):
        tfds.load("fer2013", split="public_test", data_dir=str(tmp_path / "tfds"))
    assert not (tmp_path / "tfds").exists()  # no empty fer2013/1.0.0 left behind
