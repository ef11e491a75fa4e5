"""Breaks the code once per guarding test and checks that the test then fails (a hand-made mutation test).

Each mutant replaces one exact snippet of a module with a wrong version, runs the tests that guard
that behaviour, and restores the file (also on Ctrl-C). A mutant whose tests still pass is a test that
cannot fail: the script lists it and exits 1. The snippet must occur exactly once, so a refactoring
that moves the code makes the script say so instead of silently testing nothing.

Run: python dev/break_tests.py [--only NAME ...]     (a few minutes; uses the test fixtures only)
"""

import argparse
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]

# name: (file, right snippet, wrong snippet, tests that must fail)
MUTANTS = {
    "public_test shuffled": (
        "keras_fer/data.py",
        'shuffle = split.startswith("train")',
        "shuffle = True",
        ["tests/test_data.py::test_public_test_is_not_shuffled_and_matches_arrays"],
    ),
    "checkpoint saves every epoch": (
        "keras_fer/callbacks/checkpoint.py",
        'if not (value > self.best if self.mode == "max" else value < self.best):',
        "if False:",
        ["tests/test_checkpoint.py::test_keeps_the_best_epoch_when_accuracy_goes_down_later"],
    ),
    "checkpoint resumes from scratch": (
        "keras_fer/callbacks/checkpoint.py",
        'if info.get("monitor") == monitor:',
        "if False:",
        ["tests/test_checkpoint.py::test_resume_starts_from_the_recorded_best"],
    ),
    "checkpoint written in place": (
        "keras_fer/callbacks/checkpoint.py",
        "with atomic_path(self.filepath) as tmp:",
        "for tmp in [self.filepath]:",
        ["tests/test_checkpoint.py::test_a_failed_save_leaves_the_previous_best"],
    ),
    "best.keras needs keras_fer": (
        "keras_fer/callbacks/checkpoint.py",
        "functional_twin(self.model).save(tmp, overwrite=True)",
        "self.model.save(tmp, overwrite=True)",
        ["tests/test_cli.py::test_best_model_takes_raw_pixels_and_loads_without_custom_objects"],
    ),
    "tf.data augments with the backend's ops": (
        "keras_fer/data.py",
        "augment.augment(x, uniform, k, ops=tensorflow_ops())",
        "augment.augment(x, uniform, k)",
        ["tests/test_data.py::test_augmented_pipeline_under_the_jax_backend"],
    ),
    "a loaded model loses a setting": (
        "keras_fer/models/_common.py",
        "return cls(**config)",
        'return cls(**{k: v for k, v in config.items() if k != "head_dropout"})',
        ["tests/test_cnn.py::test_save_load_round_trip_identical_predictions"],
    ),
}


def run(name, file, right, wrong, tests):
    path = ROOT / file
    text = path.read_text()
    if text.count(right) != 1:
        return f"{name}: the snippet occurs {text.count(right)} times in {file}; update this script"
    try:
        path.write_text(text.replace(right, wrong))
        result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
                                cwd=ROOT, capture_output=True, text=True, check=False)
    finally:
        path.write_text(text)
    if result.returncode == 0:
        return f"{name}: {' '.join(tests)} still passes with the code broken"
    last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "?"
    print(f"ok  {name}: {last}", flush=True)
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*", choices=list(MUTANTS))
    args = parser.parse_args()
    problems = [p for p in (run(n, *MUTANTS[n]) for n in (args.only or MUTANTS)) if p]
    for problem in problems:
        print(f"FAIL {problem}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
