"""README.md and docs/cli.md as a new user meets them: README's Python snippets (in a fresh process) and
every `keras-fer` line of both (through the command's entry point, `keras_fer.cli.main`; a line both
have runs once) run as written, with `../shared/fer2013` pointing at a small fixture (training lines
get `--epochs 1` added)."""

import gzip
import os
import pathlib
import re
import shlex
import subprocess
import sys

import cv2
import numpy as np
import pytest

from tfds_fer2013.testing import pixels_text, random_faces, write_fer2013_csv

README = (pathlib.Path(__file__).resolve().parents[1] / "README.md").read_text()
skimage_data = pytest.importorskip("skimage.data")


def blocks(language, text=README):
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A working folder with photo.jpg, and a FER2013 fixture where README says ../shared/fer2013."""
    root = tmp_path_factory.mktemp("readme")
    write_fer2013_csv(root / "fer", n_train=70, n_public=21)
    images, _ = random_faces(5, seed=4)
    with gzip.open(root / "fer" / "test_unlabeled.csv.gz", "wt") as f:
        f.write("id,pixels\n" + "".join(f"{i},{pixels_text(x)}\n" for i, x in enumerate(images)))
    cv2.imwrite(str(root / "photo.jpg"), np.ascontiguousarray(skimage_data.astronaut()[:, :, ::-1]))
    env = dict(os.environ, TFDS_DATA_DIR=str(root / "tfds"), KERAS_FER_CACHE=str(root / "cache"),
               TF_CPP_MIN_LOG_LEVEL="3")
    return root, env


def run(args, home, **kwargs):
    root, env = home
    out = subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, timeout=600, **kwargs)
    assert out.returncode == 0, f"{args}\n{out.stdout[-1500:]}\n{out.stderr[-3000:]}"
    return out.stdout


@pytest.mark.slow(seconds=8)
def test_the_python_snippets_and_the_photo_is_labelled_happy(home):
    # Both snippets in one fresh process, in README's order, then the labels of the detected faces.
    root, _ = home
    snippets = blocks("python")
    assert len(snippets) == 2
    code = "\n".join(snippets).replace("../shared/fer2013", str(root / "fer"))
    out = run([sys.executable, "-c", code + "\nprint('LABELS', [f['label'] for f in detector.detect('photo.jpg')])\n"],
              home)
    assert "LABELS ['happy']" in out


def commands_of(text):
    lines = [line.split("#")[0].strip() for block in blocks("bash", text) for line in block.splitlines()]
    return [line for line in lines if line.startswith("keras-fer ")]


@pytest.mark.slow(seconds=48)
def test_the_keras_fer_lines_of_docs_cli_md_then_readme(home, monkeypatch, capsys):
    """Every `keras-fer` line of docs/cli.md, in its order, with the files it names made here; then every
    line of README.md that docs/cli.md does not already have, in README's order, in the same folder
    (training lines get `--epochs 1`: README's say 30)."""
    import glob

    from keras_fer import cli

    root, env = home
    monkeypatch.chdir(root)
    for name in ("TFDS_DATA_DIR", "KERAS_FER_CACHE"):
        monkeypatch.setenv(name, env[name])
    photo = cv2.imread(str(root / "photo.jpg"))
    (root / "holidays").mkdir(exist_ok=True)
    cv2.imwrite(str(root / "holidays" / "beach.jpg"), photo)
    writer = cv2.VideoWriter(str(root / "clip.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), 10.0, (512, 512))
    for i in range(10):
        writer.write(np.roll(photo, 3 * i, axis=1))
    writer.release()
    (root / "faces").mkdir(exist_ok=True)
    for i, face in enumerate(random_faces(3, seed=5)[0]):
        cv2.imwrite(str(root / "faces" / f"f{i}.png"), cv2.resize(face, (64, 64)))
    docs = commands_of((pathlib.Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text())
    readme = commands_of(README)
    assert len(docs) >= 10
    assert any(c.startswith("keras-fer detect") for c in readme) and any(" train " in f" {c} " for c in readme)
    runs = [(c, "docs/cli.md") for c in docs] + [(c, "README.md") for c in readme if c not in docs]
    for command, source in runs:
        args = []
        for word in shlex.split(command.replace("../shared/fer2013", str(root / "fer")))[1:]:
            args += sorted(glob.glob(word)) if "*" in word else [word]
        if args[0] == "train" and (source == "README.md" or "--epochs" not in args):
            args += ["--epochs", "1"]
        assert cli.main(args) == 0, f"{source}: {command}\n{capsys.readouterr().err[-3000:]}"
    assert (root / "fer.onnx").is_file() and (root / "faces.csv").read_text().startswith("id,label,emotion")
    assert (root / "out" / "detections.csv").is_file() and (root / "reports" / "study" / "report.md").is_file()
    assert (root / "predictions.csv").read_text().startswith("id,label,emotion")
