"""Fuzzing the readers (hypothesis): any bytes, any rows, any truncation of a real gzip are either read
correctly or refused with one line (FerDataError / FerLayoutError), never another exception."""

import gzip
import io
import pathlib
import tempfile

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

from tfds_fer2013 import readers
from tfds_fer2013.readers import FerDataError, FerLayoutError

ROW = " ".join(["7"] * 2304)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(name: str, blob: bytes):
    """Reads `blob` as the file `name` in a fresh folder: the splits, or the one-line refusal."""
    with tempfile.TemporaryDirectory() as folder:
        (pathlib.Path(folder) / name).write_bytes(blob)
        try:
            return readers.read_labelled(folder)
        except (FerDataError, FerLayoutError) as err:
            assert "\n" not in str(err) and name in str(err)
            return err


@FUZZ
@given(st.binary(max_size=2000), st.sampled_from(["fer2013.csv", "fer2013.csv.gz", "icml_face_data.csv"]))
def test_random_bytes(blob, name):
    outcome(name, blob)


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(["0", "6", "7", "-1", "x", "", "3.5"]),
                          st.sampled_from([ROW, ROW + " 1", "1 2", "", ROW.replace("7", "256", 1), ROW.replace("7", "a", 1)]),
                          st.sampled_from(["Training", "PublicTest", "PrivateTest", "Other", ""])),
                min_size=0, max_size=6))
def test_random_rows(rows):
    text = "emotion,pixels,Usage\n" + "".join(f"{e},{p},{u}\n" for e, p, u in rows)
    result = outcome("fer2013.csv", text.encode())
    good = all(e in ("0", "6") and p == ROW and u in ("Training", "PublicTest", "PrivateTest") for e, p, u in rows)
    if good and rows and any(u == "Training" for _, _, u in rows):
        assert isinstance(result, dict) and sum(len(v[1]) for v in result.values()) == len(rows)
    if not good:
        assert isinstance(result, Exception)


REAL_GZ = io.BytesIO()
with gzip.GzipFile(fileobj=REAL_GZ, mode="wb") as f:
    f.write(("emotion,pixels,Usage\n" + f"3,{ROW},Training\n" * 40 + f"4,{ROW},PublicTest\n" * 10).encode())
REAL_GZ = REAL_GZ.getvalue()


@FUZZ
@given(st.integers(min_value=0, max_value=len(REAL_GZ)))
def test_random_truncations_of_a_gzip(cut):
    result = outcome("fer2013.csv.gz", REAL_GZ[:cut])
    if cut == len(REAL_GZ):
        assert np.array_equal(result["train"][1], np.full(40, 3))
    else:
        assert isinstance(result, Exception)
