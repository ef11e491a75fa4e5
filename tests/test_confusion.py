"""keras_fer.callbacks.ConfusionMatrixLogger / write_confusion_files: scikit-learn's numbers, as files."""

import numpy as np
import pandas as pd
from sklearn.metrics import confusion_matrix, precision_score, recall_score

import keras
from keras_fer import CLASS_NAMES
from keras_fer.callbacks import ConfusionMatrixLogger, write_confusion_files


def test_files_match_scikit_learn_for_a_known_prediction(tmp_path):
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 7, 300)
    y_pred = np.where(rng.uniform(size=300) < 0.6, y_true, rng.integers(0, 7, 300))
    write_confusion_files(y_true, y_pred, tmp_path, normalize="true")
    frame = pd.read_csv(tmp_path / "confusion_matrix.csv", index_col=0)
    assert list(frame.columns) == list(CLASS_NAMES) and list(frame.index) == list(CLASS_NAMES)
    np.testing.assert_allclose(frame.to_numpy(), confusion_matrix(y_true, y_pred, normalize="true"), atol=5e-5)
    per_class = pd.read_csv(tmp_path / "per_class.csv", index_col=0)
    np.testing.assert_allclose(per_class.loc[list(CLASS_NAMES), "precision"],
                               precision_score(y_true, y_pred, average=None), atol=5e-5)
    np.testing.assert_allclose(per_class.loc[list(CLASS_NAMES), "recall"],
                               recall_score(y_true, y_pred, average=None), atol=5e-5)
    assert (tmp_path / "confusion_matrix.png").read_bytes()[:4] == b"\x89PNG"
    counts, _ = write_confusion_files([0, 0, 1], [0, 1, 1], tmp_path / "counts", ["a", "b"], normalize=None)
    assert counts.to_numpy().tolist() == [[1, 1], [0, 1]]


def test_logger_writes_every_n_epochs_and_at_the_end(tmp_path):
    x = np.random.default_rng(0).normal(size=(21, 48, 48, 1)).astype("float32")
    y = np.arange(21) % 7
    inputs = keras.Input((48, 48, 1))
    model = keras.Model(inputs, keras.layers.Dense(7, activation="softmax")(keras.layers.Flatten()(inputs)))
    model.compile("adam", "sparse_categorical_crossentropy")
    logger = ConfusionMatrixLogger((x, y), tmp_path, every=2)
    model.fit(x, y, epochs=4, verbose=0, callbacks=[logger])
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["epoch_002", "epoch_004", "final", "tensorboard"]
    pred = model.predict(x, verbose=0).argmax(1)
    final = pd.read_csv(tmp_path / "final" / "confusion_matrix.csv", index_col=0).to_numpy()
    np.testing.assert_allclose(final, confusion_matrix(y, pred, labels=range(7), normalize="true"), atol=5e-5)
    assert list((tmp_path / "tensorboard").glob("events.out.tfevents.*"))
