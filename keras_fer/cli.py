"""The `keras-fer` command: detect, train, evaluate, predict, export, report, cache (also `python -m keras_fer`).

Example:
    keras-fer detect photo.jpg --out out/
    keras-fer train --model cnn --data ../shared/fer2013 --epochs 1 --limit 512 --out runs/smoke
    keras-fer evaluate runs/smoke/best.keras --data ../shared/fer2013
    keras-fer predict runs/smoke/best.keras --input ../shared/fer2013/test_unlabeled.csv.gz --out submission.csv
    keras-fer report runs/smoke --out reports/smoke
"""

from __future__ import annotations

from keras_fer.errors import KerasFerError

import argparse
import os
import pathlib
import sys
from typing import List, Optional

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow C++ logging: only what Python raises (set it to see more)


def _import_backend_quietly() -> None:
    """Imports TensorFlow, Keras and TFDS with the C++ start-up lines (oneDNN, CUDA probing, absl)
    kept off the terminal; they are shown only if an import fails."""
    if "keras" in sys.modules:
        return
    from keras_fer.io import captured_stderr

    error = None
    with captured_stderr() as captured:
        try:
            import keras  # noqa: F401  (imports the backend, TensorFlow by default)

            try:
                import tensorflow_datasets  # noqa: F401
            except ImportError:  # the JAX / torch install
                pass
        except BaseException as err:
            error, text = err, captured()
    if error is not None:
        sys.stderr.write(text)
        raise error


class CliError(KerasFerError):
    """An error to print as one clear line (exit status 2)."""


def _positive_int(text: str) -> int:
    from keras_fer.training.config import positive_int

    return positive_int(text)


def _check_writable(path, folder: bool) -> None:
    """Raises CliError, before any work, when `path` (a folder to create, or a file) cannot be written."""
    path = pathlib.Path(path).expanduser()
    if folder and path.exists() and not path.is_dir():
        raise CliError(f"--out {path}: a file, expected a folder")
    if not folder and path.is_dir():
        raise CliError(f"--out {path}: a folder, expected a file name")
    parent = path if folder else path.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise CliError(f"--out {path}: {parent} is a file, so nothing can be written below it")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise CliError(f"--out {path}: {parent} is not writable")


class _HelpWithDefaults(argparse.ArgumentDefaultsHelpFormatter):
    """Shows an option's default, unless it has none or its help already says it."""

    def _get_help_string(self, action):
        if action.default in (None, False, argparse.SUPPRESS) or "default" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; every list of choices comes from the module that owns it (none of them
    imports Keras or TensorFlow, so `--help` is quick)."""
    import keras_fer
    from keras_fer.data import SPLITS as DATA_SPLITS
    from keras_fer.detect import DEFAULT_TTA, DETECTORS, TTA_MODES
    from keras_fer.export import FORMATS as EXPORT_FORMATS
    from keras_fer.training.config import add_arguments as add_train_arguments

    parser = argparse.ArgumentParser(
        prog="keras-fer",
        description="Facial-expression recognition with Keras: emotions of faces in photos and videos, and "
                    "training, evaluation and reports on FER2013.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {keras_fer.__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name, text):  # each subcommand's --help starts with its one line and shows the defaults
        return sub.add_parser(name, help=text, description=text, formatter_class=_HelpWithDefaults)

    t = command("train", "train a model on FER2013 into a run folder (stopped, the same command resumes it)")
    add_train_arguments(t)  # one flag per TrainConfig field, with its help, type and choices
    t.add_argument("--out", required=True, help="the run folder")
    t.add_argument("--overwrite", action="store_true", help="replace a run folder of another configuration")

    e = command("evaluate", "accuracy, loss, classification report and confusion matrix of a model (several: "
                            "their ensemble) on a split")
    e.add_argument("models", nargs="+", metavar="MODEL",
                   help="a .keras model, or 'pretrained' for the bundled default (pretrained:NAME: one bundled "
                        "weight set); several: their probabilities averaged")
    e.add_argument("--data", default=None, help="the folder that holds fer2013.csv(.gz) (default: TFDS' manual dir)")
    e.add_argument("--split", default="public_test", choices=DATA_SPLITS,
                   help="which images (validation: the part of train that training holds out)")
    e.add_argument("--batch-size", type=_positive_int, default=256, help="images per predict call")
    e.add_argument("--limit", type=_positive_int, default=None, help="only the first N images of the split")
    e.add_argument("--out", default=None, help="write the metrics and the confusion matrix files here")
    e.add_argument("--tta", nargs="?", const="mirror", default="none", choices=TTA_MODES,
                   help="average each image's probabilities over views: mirror (the default of --tta: the image "
                        "and its mirror, 2x the inference time) or zoom (also its centre enlarged, 4x)")

    p = command("predict", "write id,label predictions for images (several models: their ensemble)")
    p.add_argument("models", nargs="+", metavar="MODEL",
                   help="a .keras model, or 'pretrained' (pretrained:NAME: one bundled weight set)")
    p.add_argument("--input", required=True, help="id,pixels / id,feature CSV (.gz ok), an image, or a folder of images")
    p.add_argument("--out", required=True, help="the submission CSV to write")
    p.add_argument("--resize", action="store_true", help="resize images that are not 48x48")
    p.add_argument("--probabilities", action="store_true", help="add one probability column per class")
    p.add_argument("--labels-only", action="store_true",
                   help="write only id,label (the Kaggle submission format), without the emotion column")
    p.add_argument("--batch-size", type=_positive_int, default=256, help="images per predict call")
    p.add_argument("--tta", nargs="?", const="mirror", default="none", choices=TTA_MODES,
                   help="as evaluate's --tta: mirror (2x the inference time) or zoom (4x)")

    d = command("detect", "find the faces in photos, folders and videos and label their emotions")
    d.add_argument("inputs", nargs="+", metavar="INPUT", help="image files (jpg, png, webp, bmp, tiff), folders, videos")
    d.add_argument("--out", required=True, help="folder for detections.csv, annotated images and videos")
    d.add_argument("--model", default=None, help="a .keras model or pretrained:NAME "
                   "(default: the bundled pretrained model)")
    d.add_argument("--detector", choices=DETECTORS, default="haar",
                   help="haar: OpenCV's cascade (fast); mtcnn: the mtcnn package (pip install 'keras-fer[mtcnn]')")
    d.add_argument("--every", type=_positive_int, default=1, help="videos: look at every N-th frame")
    d.add_argument("--crop-scale", type=float, default=None,
                   help="side of the square face crop / the detector box's side, 0.5-3.0 (default: the detector's "
                        "calibrated framing, docs/results.md)")
    d.add_argument("--batch-size", type=_positive_int, default=64, help="faces per predict call")
    d.add_argument("--no-annotate", action="store_true", help="do not write annotated copies of images")
    d.add_argument("--tta", choices=TTA_MODES, default=DEFAULT_TTA,
                   help=f"views each face is classified from, probabilities averaged (default {DEFAULT_TTA}): none, "
                        "mirror (the face and its mirror), zoom (also its centre enlarged by a pixel a side)")
    d.add_argument("--no-tta", action="store_const", const="none", dest="tta", help="the same as --tta none")

    s = command("serve", "a local web page (webcam or a dropped photo) and an HTTP API: POST /api/detect "
                         "(pip install 'keras-fer[serve]')")
    s.add_argument("--host", default="127.0.0.1",
                   help="the address to listen on; anything but loopback lets other machines reach the page")
    s.add_argument("--port", type=_positive_int, default=8000, help="the TCP port")
    s.add_argument("--model", default=None, help="a .keras model or pretrained:NAME "
                   "(default: the bundled pretrained model)")
    s.add_argument("--detector", choices=DETECTORS, default="haar", help="the face detector, as in detect")
    s.add_argument("--tta", choices=TTA_MODES, default=DEFAULT_TTA, help=f"as detect's (default {DEFAULT_TTA})")
    s.add_argument("--no-tta", action="store_const", const="none", dest="tta", help="the same as --tta none")
    s.add_argument("--max-upload-mb", type=float, default=10.0, help="the largest upload accepted (413 beyond)")
    s.add_argument("--max-batch", type=_positive_int, default=64, help="faces per model call, from all clients")
    s.add_argument("--batch-window-ms", type=float, default=5.0,
                   help="how long a model call waits for other requests to join it")
    s.add_argument("--max-waiting", type=_positive_int, default=64,
                   help="requests that may wait for the model; beyond, 503 with Retry-After")

    x = command("export", "export a model (Keras' Model.export) and check it in its runtime")
    x.add_argument("model", metavar="MODEL", help="a .keras model, or 'pretrained' for the bundled weights")
    x.add_argument("--format", required=True, choices=EXPORT_FORMATS,
                   help="tf_saved_model (TensorFlow), onnx (onnxruntime), litert (.tflite)")
    x.add_argument("--out", required=True, help="a folder (tf_saved_model), a .onnx or a .tflite file")
    x.add_argument("--data", default=None,
                   help="FER2013 files: compare on 256 public_test images (default: 256 random images)")

    c = command("cache", "list or clear the prepared copies of FER2013 (~/.cache/keras_fer)")
    c.add_argument("action", choices=("list", "clear"), help="list them, or remove them")
    c.add_argument("--incomplete", action="store_true", help="clear: only what failed preparations left")

    r = command("report", "report.md and plots from run folders: CNN against DNN of the same size, training "
                          "curves, normalisation and augmentation, confusion matrices of one model and an ensemble")
    r.add_argument("runs", nargs="+", metavar="RUN_DIR", help="run folders written by keras-fer train")
    r.add_argument("--out", required=True, help="the folder for report.md and its plots")
    r.add_argument("--data", default=None, help="FER2013 files, for the ensemble's confusion matrix")
    return parser


def _load_model(path):
    """A `.keras` model file, or bundled weights: "pretrained" (the default), "pretrained:NAME", ...
    (`keras_fer.pretrained.from_spec`)."""
    import keras

    if str(path) == "pretrained" or str(path).startswith("pretrained:"):
        from keras_fer.pretrained import from_spec

        return from_spec(str(path))
    path = pathlib.Path(path)
    if path.is_dir():
        hint = f"; did you mean {path / 'best.keras'}?" if (path / "best.keras").is_file() else ""
        raise CliError(f"{path}: a folder, expected a .keras model file{hint}")
    if not path.is_file():
        raise CliError(f"{path}: no such model file")
    import zipfile

    if not zipfile.is_zipfile(path):  # Keras would call it "File not found"
        raise CliError(f"{path}: not a Keras model file (a .keras file is a zip archive; this one is not)")
    try:
        return keras.saving.load_model(path, compile=False)  # inference needs no optimizer
    except Exception as err:  # Keras raises several types for a file that is not a model
        reason = str(err).splitlines()[0][:200] if str(err) else type(err).__name__
        raise CliError(f"{path}: not a Keras model file (.keras) that loads ({reason})") from err


def _maybe_tta(model, tta: str):
    from keras_fer.models.tta import with_tta

    return with_tta(model, tta)


def cmd_train(args) -> int:
    from keras_fer.training import TrainConfig, train

    config = TrainConfig.from_args(args)
    _check_writable(args.out, folder=True)
    summary = train(config, args.out, overwrite=args.overwrite)
    print(
        f"{args.out}: best {summary['selected_on']} accuracy {summary['best_val_accuracy']:.4f} at epoch "
        f"{summary['best_epoch']}/{summary['epochs']} (public_test, evaluated once: "
        f"{summary['public_test_accuracy_of_best']:.4f}); {summary['train_images_per_second']:.0f} training images/s"
    )
    return 0


def cmd_evaluate(args) -> int:
    from keras_fer import data as fer_data
    from keras_fer.evaluate import evaluate
    from keras_fer.io import write_json, write_text

    if args.out:
        _check_writable(args.out, folder=True)
    models = [_maybe_tta(_load_model(m), args.tta) for m in args.models]
    x, y = fer_data.arrays(args.split, manual_dir=args.data, limit=args.limit)
    result = evaluate(models, (x.astype("float32"), y), batch_size=args.batch_size, verbose=_progress())
    name = " + ".join(str(m) for m in args.models)
    metrics = {
        "model": name, "split": args.split, "n": int(len(y)), "tta": args.tta,
        "accuracy": result.accuracy, "loss": result.loss,
    }
    report = result.report()
    print(f"{args.split}: accuracy {metrics['accuracy']:.4f}, loss {metrics['loss']:.4f} ({len(y)} images)\n")
    print(report)
    cm = result.confusion(normalize=None)
    cm.index.name = None
    print("confusion matrix (rows: true, columns: predicted)\n" + cm.to_string())
    if args.out:
        out = pathlib.Path(args.out)
        result.write(out, title=f"{' + '.join(pathlib.Path(m).name for m in args.models)} on {args.split}")
        write_json(out / "metrics.json", metrics)
        write_text(out / "classification_report.txt", report)
        print(f"\nwrote {out}/metrics.json, classification_report.txt, confusion_matrix.csv/.png, per_class.csv")
    return 0


def _progress():
    return "auto" if sys.stdout.isatty() else 0


def cmd_predict(args) -> int:
    import numpy as np
    import pandas as pd

    from keras_fer import CLASS_NAMES
    from keras_fer.data import read_unlabeled
    from keras_fer.evaluate import predict
    from keras_fer.io import atomic_path

    _check_writable(args.out, folder=False)
    models = [_maybe_tta(_load_model(m), args.tta) for m in args.models]
    ids, images = read_unlabeled(args.input, resize=args.resize)
    _, probs = predict(models, images.astype("float32"), batch_size=args.batch_size, verbose=_progress())
    frame = pd.DataFrame({"id": ids, "label": probs.argmax(axis=1)})
    if not args.labels_only:
        frame["emotion"] = np.asarray(CLASS_NAMES)[frame["label"]]
    if args.probabilities:
        for i, name in enumerate(CLASS_NAMES):
            frame[name] = probs[:, i]
    with atomic_path(args.out) as tmp:
        frame.to_csv(tmp, index=False, float_format="%.5f")
    print(f"wrote {args.out}: {len(frame)} predictions from {len(models)} model(s)")
    return 0


def cmd_detect(args) -> int:
    from keras_fer.detect import detect

    _check_writable(args.out, folder=True)
    model = _load_model(args.model) if args.model else None
    result = detect(args.inputs, args.out, model=model, detector=args.detector, every=args.every,
                    crop_scale=args.crop_scale, batch_size=args.batch_size, annotate_images=not args.no_annotate,
                    progress=True, tta=args.tta)
    print(f"wrote {result['csv']}: {result['faces']} face(s) in {result['files']} file(s); "
          f"{result['no_face']} without a face; {len(result['unreadable'])} unreadable")
    if len(result["unreadable"]) == result["files"]:
        print("keras-fer detect: error: no input could be read", file=sys.stderr)
        return 2
    return 0


def cmd_serve(args) -> int:
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as err:
        raise CliError(f"serve needs the serve extra ({err.name} is not installed): pip install 'keras-fer[serve]'")
    if args.max_upload_mb <= 0 or args.batch_window_ms < 0:
        raise CliError("--max-upload-mb must be > 0 and --batch-window-ms >= 0")
    from keras_fer.faces.emotion_detector import EmotionDetector
    from keras_fer.serve import serve

    model = _load_model(args.model) if args.model else None
    detector = EmotionDetector(model=model, detector=args.detector, tta=args.tta)
    serve(args.host, args.port, detector, max_upload_bytes=int(args.max_upload_mb * 2**20), max_batch=args.max_batch,
          window=args.batch_window_ms / 1000, max_waiting=args.max_waiting)
    return 0


def cmd_export(args) -> int:
    import numpy as np

    from keras_fer.export import check, export

    import warnings

    warnings.filterwarnings("ignore", category=FutureWarning, module="keras.src.export")  # tf2onnx's np.object probe
    _check_writable(args.out, folder=args.format == "tf_saved_model")
    model = _load_model(args.model)
    if args.data:
        from keras_fer.data import arrays

        x = arrays("public_test", manual_dir=args.data, limit=256)[0].astype("float32")
        source = "256 public_test images"
    else:
        x = np.random.default_rng(0).uniform(0, 255, (256,) + tuple(model.input_shape[1:])).astype("float32")
        source = "256 random images"
    export(model, args.out, args.format)
    result = check(model, args.out, args.format, x)
    print(f"wrote {args.out} ({args.format}, {result['bytes'] / 2**20:.1f} MiB): max |difference| from the Keras "
          f"model {result['max_abs_diff']:.2e} on {source}; one image in {result['latency_ms']:.1f} ms")
    return 0


def cmd_cache(args) -> int:
    from keras_fer import cache

    if args.action == "list":
        entries = cache.entries()
        for e in entries:
            print(f"{e['path']}  {e['bytes'] / 2**20:7.1f} MiB  {e['state']:10s}  from {e['source']}")
        print(f"{len(entries)} prepared cop{'y' if len(entries) == 1 else 'ies'} under {cache.root()}, "
              f"{sum(e['bytes'] for e in entries) / 2**20:.1f} MiB")
        return 0
    removed = cache.clear(incomplete_only=args.incomplete)
    print(f"removed {len(removed)} prepared cop{'y' if len(removed) == 1 else 'ies'}, "
          f"{sum(e['bytes'] for e in removed) / 2**20:.1f} MiB")
    return 0


def cmd_report(args) -> int:
    from keras_fer.report import write_report

    path = write_report(args.runs, args.out, data=args.data)
    print(f"wrote {path}")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of `keras-fer`; returns the exit status."""
    from tfds_fer2013.readers import FerDataError, FerLayoutError

    args = build_parser().parse_args(argv)
    if args.command != "cache":
        _import_backend_quietly()
    handler = {"train": cmd_train, "evaluate": cmd_evaluate, "predict": cmd_predict, "report": cmd_report,
               "detect": cmd_detect, "export": cmd_export, "serve": cmd_serve, "cache": cmd_cache}
    try:
        return handler[args.command](args)
    except KeyboardInterrupt:
        if args.command == "detect":
            print(f"\nkeras-fer detect: stopped. {args.out}/detections.csv holds the files finished so far.",
                  file=sys.stderr)
        elif args.command == "train":
            print(f"\nkeras-fer train: stopped. {args.out} keeps every finished epoch; run the same command to "
                  "resume from the last one.", file=sys.stderr)
        else:
            print(f"\nkeras-fer {args.command}: stopped.", file=sys.stderr)
        return 130
    except (KerasFerError, FerDataError, FerLayoutError, FileNotFoundError) as err:  # keras-fer's own, and
        # a file that is not there; anything else (a bug, Keras' or ours) keeps its traceback
        print(f"keras-fer {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
