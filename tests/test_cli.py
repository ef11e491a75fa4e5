"""The `keras-fer` command end to end on a small fixture: train -> evaluate -> predict -> report."""

import json
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import keras

import keras_fer
from keras_fer import CLASS_NAMES
from keras_fer.cli import main
from keras_fer.data import arrays as fer_arrays
from keras_fer.pretrained import from_spec
from tfds_fer2013.testing import pixels_text, random_faces, write_fer2013_csv


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """Two short runs (a CNN and a budget-matched DNN) on a synthetic fer2013.csv."""
    root = tmp_path_factory.mktemp("study")
    patch = pytest.MonkeyPatch()
    patch.setenv("KERAS_FER_CACHE", str(root / "cache"))
    write_fer2013_csv(root / "fer", n_train=140, n_public=35)
    common = ["--data", str(root / "fer"), "--epochs", "1", "--batch-size", "32"]
    assert main(["train", "--model", "cnn", *common, "--out", str(root / "cnn")]) == 0
    assert main(["train", "--model", "dnn", "--param-budget", "match-cnn", "--no-augment", *common,
                 "--out", str(root / "dnn")]) == 0
    yield root
    patch.undo()


def test_train_writes_every_file_well_formed(study):
    run = study / "cnn"
    assert sorted(p.name for p in run.iterdir()) == [
        "best.json", "best.keras", "config.json", "confusion_matrix.csv", "confusion_matrix.png",
        "curves.png", "history.csv", "per_class.csv", "summary.json"]
    config = json.loads((run / "config.json").read_text())
    assert config["settings"]["model"] == "cnn" and config["settings"]["batch_size"] == 32
    assert set(config["versions"]) >= {"keras", "tensorflow", "keras_fer", "backend"}
    history = pd.read_csv(run / "history.csv")
    assert history["epoch"].tolist() == [1]
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "epoch_seconds", "train_images_per_second"} <= set(history)
    summary = json.loads((run / "summary.json").read_text())
    assert summary["params"] == {"total": 3_258_379, "trainable": 3_257_481, "non_trainable": 898}
    fit = len(keras_fer.data.arrays("train_fit", manual_dir=study / "fer")[1])
    assert 0 < fit < 140 and summary["n_train"] == fit  # fitted on train less the carved validation split
    assert summary["epochs"] == 1 and summary["best_epoch"] == 1 and summary["selected_on"] == "validation"
    assert summary["train_images_per_second"] > 0 and summary["wall_seconds"] > 0
    for png in ("curves.png", "confusion_matrix.png"):
        assert (run / png).read_bytes()[:4] == b"\x89PNG"
    cm = pd.read_csv(run / "confusion_matrix.csv", index_col=0)
    assert cm.shape == (7, 7) and np.allclose(cm.sum(axis=1), 1.0, atol=1e-3)
    dnn = json.loads((study / "dnn" / "summary.json").read_text())
    assert dnn["params"]["total"] == 3_258_379


def test_best_model_takes_raw_pixels_and_loads_without_custom_objects(study):
    model = keras.saving.load_model(study / "cnn" / "best.keras")
    assert model.layers[1].name == "rescale"  # scaling travels with the model
    # in a fresh process that imports only Keras (no keras_fer, no custom_objects)
    code = ("import sys, keras; m = keras.saving.load_model(%r); "
            "print('keras_fer' in sys.modules, m.count_params())" % str(study / "cnn" / "best.keras"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-2:] == ["False", "3258379"]


def test_rerun_of_a_finished_run_does_nothing(study, capsys):
    args = ["train", "--model", "cnn", "--data", str(study / "fer"), "--epochs", "1", "--batch-size", "32",
            "--out", str(study / "cnn")]
    before = (study / "cnn" / "best.keras").stat().st_mtime_ns
    assert main(args) == 0
    assert "already finished" in capsys.readouterr().out
    assert (study / "cnn" / "best.keras").stat().st_mtime_ns == before


def test_other_configuration_is_refused_and_nothing_overwritten(study, capsys):
    before = {p.name: p.stat().st_mtime_ns for p in (study / "cnn").iterdir()}
    args = ["train", "--model", "cnn", "--data", str(study / "fer"), "--epochs", "2", "--batch-size", "32",
            "--out", str(study / "cnn")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "holds a run with another configuration (epochs: 1 -> 2)" in err and "--overwrite" in err
    assert {p.name: p.stat().st_mtime_ns for p in (study / "cnn").iterdir()} == before


def test_evaluate_prints_and_writes(study, capsys):
    out = study / "eval"
    assert main(["evaluate", str(study / "cnn" / "best.keras"), "--data", str(study / "fer"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "public_test: accuracy" in printed and "precision" in printed and "confusion matrix" in printed
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["n"] == 35 and 0 <= metrics["accuracy"] <= 1
    assert {p.name for p in out.iterdir()} >= {"confusion_matrix.csv", "confusion_matrix.png", "per_class.csv",
                                                "classification_report.txt"}
    # two models: their ensemble, the accuracy of the averaged probabilities
    models = [keras.saving.load_model(study / run / "best.keras") for run in ("cnn", "dnn")]
    x, y = fer_arrays("public_test", manual_dir=study / "fer")
    averaged = np.mean([m.predict(x.astype("float32"), verbose=0) for m in models], axis=0)
    assert main(["evaluate", str(study / "cnn" / "best.keras"), str(study / "dnn" / "best.keras"), "--data",
                 str(study / "fer"), "--out", str(study / "eval2")]) == 0
    metrics = json.loads((study / "eval2" / "metrics.json").read_text())
    assert metrics["accuracy"] == pytest.approx(float(np.mean(averaged.argmax(1) == y)), abs=1e-9)
    assert " + " in metrics["model"]


def test_predict_csv_folder_and_ensemble(study):
    images, _ = random_faces(9, seed=5)
    ids = [17, 3, 250, 4, 5, 6, 7, 8, 9]
    test_csv = study / "test.csv"
    test_csv.write_text("id,pixels\n" + "".join(f"{i},{pixels_text(x)}\n" for i, x in zip(ids, images)))
    out = study / "submission.csv"
    assert main(["predict", str(study / "cnn" / "best.keras"), str(study / "dnn" / "best.keras"),
                 "--input", str(test_csv), "--out", str(out), "--probabilities"]) == 0
    sub = pd.read_csv(out)
    assert sub["id"].tolist() == ids
    assert sub["label"].between(0, 6).all()
    assert (sub["emotion"] == [CLASS_NAMES[i] for i in sub["label"]]).all()
    probs = sub[["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]].to_numpy()
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-3) and (probs.argmax(1) == sub["label"]).all()
    folder = study / "imgs"
    folder.mkdir()
    Image.fromarray(images[0], "L").save(folder / "a.png")
    Image.fromarray(np.stack([images[1]] * 3, -1).repeat(2, 0).repeat(2, 1), "RGB").save(folder / "b.png")
    assert main(["predict", str(study / "cnn" / "best.keras"), "--input", str(folder), "--out", str(study / "f.csv")]) == 2
    assert main(["predict", str(study / "cnn" / "best.keras"), "--input", str(folder), "--out", str(study / "f.csv"),
                 "--resize"]) == 0
    assert pd.read_csv(study / "f.csv")["id"].tolist() == ["a", "b"]
    # one image file; the Kaggle format on request
    assert main(["predict", str(study / "cnn" / "best.keras"), "--input", str(folder / "a.png"), "--out",
                 str(study / "one.csv"), "--labels-only"]) == 0
    assert list(pd.read_csv(study / "one.csv").columns) == ["id", "label"]
    assert pd.read_csv(study / "one.csv")["id"].tolist() == ["a"]


def test_tta_averages_each_image_with_its_mirror(study):
    images, _ = random_faces(5, seed=6)
    test_csv = study / "tta.csv"
    test_csv.write_text("id,pixels\n" + "".join(f"{i},{pixels_text(x)}\n" for i, x in enumerate(images)))
    model_path = study / "dnn" / "best.keras"
    assert main(["predict", str(model_path), "--input", str(test_csv), "--out", str(study / "tta_sub.csv"),
                 "--probabilities", "--tta"]) == 0
    got = pd.read_csv(study / "tta_sub.csv")[list(CLASS_NAMES)].to_numpy()
    model = keras.saving.load_model(model_path)
    x = images[..., None].astype("float32")
    expected = (model.predict(x, verbose=0) + model.predict(x[:, :, ::-1], verbose=0)) / 2
    np.testing.assert_allclose(got, expected, atol=2e-5)
    assert main(["evaluate", str(model_path), "--data", str(study / "fer"), "--tta", "--out", str(study / "eval_tta")]) == 0
    assert json.loads((study / "eval_tta" / "metrics.json").read_text())["tta"] == "mirror"
    assert main(["evaluate", str(model_path), "--data", str(study / "fer"), "--tta", "zoom", "--out", str(study / "eval_zoom")]) == 0
    assert json.loads((study / "eval_zoom" / "metrics.json").read_text())["tta"] == "zoom"


def test_report_answers_the_four_questions(study):
    out = study / "report"
    assert main(["report", str(study / "cnn"), str(study / "dnn"), "--out", str(out)]) == 0
    text = (out / "report.md").read_text()
    for heading in ("## 1.", "## 2.", "## 3.", "## 4."):
        assert heading in text
    assert "**CNN vs DNN.**" in text and "3,258,379" in text
    assert "Architecture of cnn" in text
    assert re.search(r"\| block4_conv +\| Conv2D +\| \(None, 6, 6, 256\) +\| +1,638,656 \|", text)
    assert "Param #" in text and "Total params: 3,258,379" in text  # the whole summary, the model alone
    assert "Cannot be answered" in text  # question 3: both runs differ in model, not in settings only
    assert "Most frequent confusions" in text and "→" in text
    for png in ("curves.png", "best_single/confusion_matrix.png", "ensemble/confusion_matrix.png"):
        assert (out / png).read_bytes()[:4] == b"\x89PNG"


def test_bad_inputs_give_one_clear_line(study, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["train", "--data", str(tmp_path / "empty"), "--epochs", "1", "--out", str(tmp_path / "r")]) == 2
    assert "No FER2013 files in" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "fer2013.csv").write_text("emotion,pixels,Usage\n0," + " ".join(["1"] * 2304) + ",Training\n0,1 2,Training\n")
    assert main(["train", "--data", str(bad), "--epochs", "1", "--out", str(tmp_path / "r")]) == 2
    assert "fer2013.csv line 3: 2 pixel values, expected 2304" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
    notmodel = tmp_path / "model.keras"
    notmodel.write_text("hello")
    assert main(["predict", str(notmodel), "--input", str(study / "test.csv"), "--out", str(tmp_path / "s.csv")]) == 2
    assert "not a Keras model file" in capsys.readouterr().err
    repeated = tmp_path / "rep.csv"
    row = " ".join(["0"] * 2304)
    repeated.write_text(f"id,pixels\n1,{row}\n1,{row}\n")
    assert main(["predict", str(study / "cnn" / "best.keras"), "--input", str(repeated), "--out", str(tmp_path / "s.csv")]) == 2
    assert "line 3: id '1' repeats an earlier row" in capsys.readouterr().err
    assert not (tmp_path / "s.csv").exists()
    twins = tmp_path / "twins"
    twins.mkdir()
    Image.fromarray(np.zeros((48, 48), np.uint8)).save(twins / "a.png")
    Image.fromarray(np.zeros((48, 48), np.uint8)).save(twins / "a.jpg")
    assert main(["predict", str(study / "cnn" / "best.keras"), "--input", str(twins), "--out", str(tmp_path / "s.csv")]) == 2
    err = capsys.readouterr().err
    assert "a.png: id 'a' repeats" in err and "a.jpg" in err and not (tmp_path / "s.csv").exists()
    assert main(["evaluate", str(study / "cnn"), "--data", str(study / "fer")]) == 2
    assert f"did you mean {study / 'cnn' / 'best.keras'}" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["train", "--epochs", "0", "--out", "x"])


def test_python_dash_m_is_the_same_command():
    out = subprocess.run([sys.executable, "-m", "keras_fer", "--help"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and "train" in out.stdout and "report" in out.stdout


def test_help_and_version_are_quick_and_import_no_backend():
    code = ("import sys, time; t = time.perf_counter(); from keras_fer.cli import build_parser; "
            "build_parser().format_help(); "
            "print(sorted(m for m in ('tensorflow', 'keras', 'jax', 'torch', 'pandas') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"
    version = subprocess.run([sys.executable, "-m", "keras_fer", "--version"], capture_output=True, text=True, timeout=120)
    import keras_fer

    assert version.stdout.strip() == f"keras-fer {keras_fer.__version__}" and version.stderr == ""


def test_the_clis_choices_come_from_the_modules_that_own_them():
    from keras_fer.cli import build_parser
    from keras_fer.data import NORMALIZE_CHOICES
    from keras_fer.detect import DETECTORS
    from keras_fer.export import FORMATS
    from keras_fer.precision import PRECISIONS
    from keras_fer.recipes import OPTIMIZERS, RECIPES
    from keras_fer.data import SPLITS
    from keras_fer.training import MODELS

    sub = {a.dest: a for a in build_parser()._actions if a.dest == "command"}["command"].choices

    def choices(command, flag):
        return tuple(next(a for a in sub[command]._actions if flag in a.option_strings).choices)

    assert choices("train", "--model") == MODELS and choices("train", "--normalize") == NORMALIZE_CHOICES
    assert choices("train", "--optimizer") == OPTIMIZERS and choices("train", "--recipe") == RECIPES
    assert choices("train", "--precision") == PRECISIONS and choices("evaluate", "--split") == SPLITS
    assert choices("detect", "--detector") == DETECTORS and choices("export", "--format") == FORMATS
    from keras_fer.detect import TTA_MODES

    for command in ("evaluate", "predict", "detect", "serve"):
        assert choices(command, "--tta") == TTA_MODES


@pytest.mark.parametrize("command, first", [("detect", ["x.jpg", "--out", "o"]), ("serve", [])])
def test_tta_flags_of_detect_and_serve(command, first):
    from keras_fer.cli import build_parser
    from keras_fer.detect import DEFAULT_TTA

    parse = lambda *more: build_parser().parse_args([command, *first, *more]).tta  # noqa: E731
    assert (parse(), parse("--no-tta"), parse("--tta", "zoom")) == (DEFAULT_TTA, "none", "zoom")
    assert build_parser().parse_args(["evaluate", "m.keras", "--tta"]).tta == "mirror"
    assert build_parser().parse_args(["evaluate", "m.keras"]).tta == "none"


def test_an_unwritable_out_is_one_line_before_any_work(tmp_path, capsys):
    (tmp_path / "file.txt").write_text("x")
    blocked = tmp_path / "file.txt" / "out"
    for argv in (["train", "--data", str(tmp_path), "--out", str(blocked)],
                 ["detect", str(tmp_path), "--out", str(blocked)],
                 ["predict", "pretrained", "--input", str(tmp_path), "--out", str(blocked / "p.csv")],
                 ["export", "pretrained", "--format", "onnx", "--out", str(blocked / "m.onnx")],
                 ["evaluate", "pretrained", "--out", str(blocked)]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "file.txt is a file" in err, (argv, err)


def test_bad_values_and_a_data_file_instead_of_its_folder(tmp_path, capsys):
    write_fer2013_csv(tmp_path / "fer", n_train=14, n_public=7)
    common = ["--data", str(tmp_path / "fer"), "--epochs", "1", "--out", str(tmp_path / "run")]
    assert main(["train", "--learning-rate", "-1", *common]) == 2
    assert "learning_rate=-1.0" in capsys.readouterr().err
    assert main(["train", "--model", "dnn", "--param-budget", "10", *common]) == 2
    capsys.readouterr()
    assert not (tmp_path / "run").exists()  # refused before anything was written
    assert main(["train", "--data", str(tmp_path / "fer" / "fer2013.csv"), "--out", str(tmp_path / "r2")]) == 2
    err = capsys.readouterr().err
    assert "is a file: give the folder that holds it" in err and len(err.strip().splitlines()) == 1
    assert main(["detect", str(tmp_path), "--crop-scale", "50", "--out", str(tmp_path / "d")]) == 2
    assert "crop scale 50.0" in capsys.readouterr().err


def test_ctrl_c_during_train_says_how_to_resume(tmp_path, capsys, monkeypatch):
    import keras_fer.training

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(keras_fer.training, "train", interrupted)
    assert main(["train", "--data", str(tmp_path), "--out", str(tmp_path / "run")]) == 130
    err = capsys.readouterr().err
    assert "run the same command to resume" in err and "Traceback" not in err


def test_a_file_that_is_no_model_is_named_so(tmp_path, capsys):
    (tmp_path / "fake.keras").write_text("not a model")
    assert main(["evaluate", str(tmp_path / "fake.keras"), "--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "is a zip archive; this one is not" in err and "not found" not in err.lower()


def test_only_keras_fers_own_errors_become_one_line(tmp_path, capsys, monkeypatch):
    import keras_fer.training
    from keras_fer.errors import ConfigError

    def config_error(*args, **kwargs):
        raise ConfigError("learning_rate=-1: expected a number above 0")

    monkeypatch.setattr(keras_fer.training, "train", config_error)
    assert main(["train", "--data", str(tmp_path), "--out", str(tmp_path / "run")]) == 2
    assert capsys.readouterr().err.strip() == "keras-fer train: error: learning_rate=-1: expected a number above 0"

    def keras_bug(*args, **kwargs):
        raise ValueError("a bug inside Keras")

    monkeypatch.setattr(keras_fer.training, "train", keras_bug)
    with pytest.raises(ValueError, match="a bug inside Keras"):  # not hidden behind "error: ..."
        main(["train", "--data", str(tmp_path), "--out", str(tmp_path / "run2")])


def test_one_bundled_weight_set_by_name(tmp_path, capsys):
    images, _ = random_faces(4, seed=8)
    test_csv = tmp_path / "test.csv"
    test_csv.write_text("id,pixels\n" + "".join(f"{i},{pixels_text(x)}\n" for i, x in enumerate(images)))
    expected = {spec: np.asarray(from_spec(spec).predict(images[..., None].astype("float32"), verbose=0))
                for spec in ("pretrained:FerCNN", "pretrained:fer2013-course")}
    for spec, probs in expected.items():
        out = tmp_path / f"{spec.replace(':', '_')}.csv"
        assert main(["predict", spec, "--input", str(test_csv), "--out", str(out), "--probabilities"]) == 0
        np.testing.assert_allclose(pd.read_csv(out)[list(CLASS_NAMES)].to_numpy(), probs, atol=1e-4)
    assert not np.allclose(*expected.values(), atol=1e-3)  # two different models
    capsys.readouterr()
    assert main(["predict", "pretrained:nope", "--input", str(test_csv), "--out", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nope" in err[0] and "fer2013-course" in err[0]
    assert not (tmp_path / "x.csv").exists()
