"""Where the test suite's time goes: a pytest plugin that writes one JSON line per test (xdist worker,
start, end, the worker's own CPU-seconds and those of the processes it waited for), and one line for the
whole session (wall time, and the CPU-seconds the whole machine was busy, from /proc/stat, which also
counts processes the tests did not wait for, such as the browser that chromedriver starts); and a summary
of such a file.

Run (from the repository root):
    rm -f timeline.jsonl
    PYTHONPATH=dev python -m pytest -q -n auto --dist worksteal -p suite_timeline   # writes timeline.jsonl
    python dev/suite_timeline.py timeline.jsonl --top 20

$KERAS_FER_TIMELINE names another file. Lines are appended, so remove the file between sessions. The
machine's CPU figure is only meaningful with nothing else running.
"""

import argparse
import json
import os
import pathlib
import time

import pytest


def _path() -> pathlib.Path:
    return pathlib.Path(os.environ.get("KERAS_FER_TIMELINE", "timeline.jsonl"))


def _append(row: dict) -> None:
    with open(_path(), "a") as f:  # one short write per line: the workers' lines do not interleave
        f.write(json.dumps(row) + "\n")


def _machine_busy_seconds() -> float:
    """CPU-seconds all cores have spent busy since boot (user, nice, system, irq, softirq, steal)."""
    with open("/proc/stat") as f:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, f.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    t0, c0 = time.time(), os.times()
    yield
    c1 = os.times()
    worker = getattr(item.config, "workerinput", {}).get("workerid", "-")  # xdist's worker id, in its workers
    _append({"worker": worker, "test": item.nodeid, "start": t0,
             "end": time.time(), "cpu": c1.user - c0.user + c1.system - c0.system,
             "child_cpu": c1.children_user - c0.children_user + c1.children_system - c0.children_system})


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput") and os.path.exists("/proc/stat"):  # xdist's controller, or no xdist
        session.config._timeline_start = (time.time(), _machine_busy_seconds())


def pytest_sessionfinish(session):
    start = getattr(session.config, "_timeline_start", None)
    if start is not None:
        _append({"session": True, "start": start[0], "end": time.time(),
                 "machine_busy_cpu": _machine_busy_seconds() - start[1]})


def summary(rows: list, top: int = 20) -> str:
    """The longest tests by CPU, each worker's span and CPU, and the session's figures.

    >>> rows = [{"worker": "gw0", "test": "t.py::a", "start": 0.0, "end": 2.0, "cpu": 1.5, "child_cpu": 0.25},
    ...         {"session": True, "start": -1.0, "end": 3.0, "machine_busy_cpu": 3.5}]
    >>> print(summary(rows))
    CPU-s  wall-s  test
      1.8     2.0  t.py::a
    gw0: tests from 1.0 s to 3.0 s after the session's start, 1.8 CPU-s in 1 tests
    session: 4.0 s, tests' CPU 1.8 s, machine busy 3.5 CPU-s
    """
    tests = [r for r in rows if "test" in r]
    sessions = [r for r in rows if r.get("session")]
    origin = sessions[-1]["start"] if sessions else min(r["start"] for r in tests)
    cost = lambda r: r["cpu"] + r["child_cpu"]  # noqa: E731
    lines = ["CPU-s  wall-s  test"]
    for r in sorted(tests, key=cost, reverse=True)[:top]:
        lines.append(f"{cost(r):5.1f} {r['end'] - r['start']:7.1f}  {r['test']}")
    for worker in sorted({r["worker"] for r in tests}):
        mine = [r for r in tests if r["worker"] == worker]
        lines.append(f"{worker}: tests from {min(r['start'] for r in mine) - origin:.1f} s to "
                     f"{max(r['end'] for r in mine) - origin:.1f} s after the session's start, "
                     f"{sum(map(cost, mine)):.1f} CPU-s in {len(mine)} tests")
    for s in sessions:
        lines.append(f"session: {s['end'] - s['start']:.1f} s, tests' CPU {sum(map(cost, tests)):.1f} s, "
                     f"machine busy {s['machine_busy_cpu']:.1f} CPU-s")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", nargs="?", default=str(_path()))
    parser.add_argument("--top", type=int, default=20, help="how many of the costliest tests to list")
    args = parser.parse_args(argv)
    with open(args.file) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    if not any("test" in row for row in rows):
        raise SystemExit(f"{args.file}: no test lines (was pytest run with -p suite_timeline?)")
    print(summary(rows, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
