"""dev/suite_timeline.py: the plugin's lines from a small pytest run in a fresh process, and its summary."""

import doctest
import json
import os
import pathlib
import subprocess
import sys

DEV = pathlib.Path(__file__).resolve().parents[1] / "dev"
sys.path.insert(0, str(DEV))
import suite_timeline  # noqa: E402


def test_the_plugin_writes_a_line_per_test_and_one_for_the_session(tmp_path):
    (tmp_path / "test_two.py").write_text(
        "import subprocess, sys, time\n"
        "def test_busy():\n    t = time.process_time()\n    while time.process_time() - t < 0.3: pass\n"
        "def test_child():\n    subprocess.run([sys.executable, '-c', "
        "'import time\\nt = time.process_time()\\nwhile time.process_time() - t < 0.3: pass'])\n")
    env = dict(os.environ, PYTHONPATH=str(DEV), KERAS_FER_TIMELINE=str(tmp_path / "t.jsonl"))
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "suite_timeline", "-p", "no:cacheprovider",
                           "-p", "no:xdist", "test_two.py"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:]
    rows = [json.loads(line) for line in (tmp_path / "t.jsonl").read_text().splitlines()]
    tests = {r["test"]: r for r in rows if "test" in r}
    assert set(tests) == {"test_two.py::test_busy", "test_two.py::test_child"}
    assert tests["test_two.py::test_busy"]["cpu"] >= 0.28 and tests["test_two.py::test_busy"]["child_cpu"] < 0.1
    assert tests["test_two.py::test_child"]["child_cpu"] >= 0.28
    session = [r for r in rows if r.get("session")]
    assert len(session) == 1 and session[0]["machine_busy_cpu"] >= 0.56
    assert session[0]["start"] <= min(r["start"] for r in tests.values())
    printed = subprocess.run([sys.executable, str(DEV / "suite_timeline.py"), str(tmp_path / "t.jsonl"), "--top", "1"],
                             capture_output=True, text=True, check=True).stdout.splitlines()
    assert len(printed) == 4 and printed[2].startswith("-: tests from") and printed[3].startswith("session: ")


def test_the_summary_example():
    assert doctest.testmod(suite_timeline).failed == 0
