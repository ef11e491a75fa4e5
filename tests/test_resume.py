"""keras_fer.callbacks.AtomicBackupAndRestore: complete backups only; restores epoch, weights, state."""

import numpy as np

import keras
from keras_fer.callbacks import AtomicBackupAndRestore


class StopAfter(keras.callbacks.Callback):
    def __init__(self, epochs):
        super().__init__()
        self.epochs = epochs

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epochs:
            raise KeyboardInterrupt  # an interruption in the middle of fit


def model_and_data():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(inputs))
    model.compile("adam", "sparse_categorical_crossentropy")
    x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
    return model, x, np.arange(32) % 2


def test_interrupted_fit_resumes_after_the_last_finished_epoch(tmp_path):
    model, x, y = model_and_data()
    seen = []
    backup = AtomicBackupAndRestore(tmp_path / "backup", state=lambda: {"seen": list(seen)})
    record = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: seen.append(e + 1))
    try:
        model.fit(x, y, epochs=5, verbose=0, callbacks=[record, backup, StopAfter(3)])
    except KeyboardInterrupt:
        pass
    assert [p.name for p in (tmp_path / "backup").iterdir()] == ["epoch-00003"]
    assert AtomicBackupAndRestore(tmp_path / "backup").latest_epoch() == 3
    weights_at_3 = model.get_weights()

    model2, _, _ = model_and_data()
    epochs_run = []
    resumed = AtomicBackupAndRestore(tmp_path / "backup")
    check = keras.callbacks.LambdaCallback(
        on_train_begin=lambda logs: [np.testing.assert_array_equal(a, b) for a, b in zip(model2.get_weights(), weights_at_3)],
        on_epoch_begin=lambda e, logs: epochs_run.append(e + 1))
    model2.fit(x, y, epochs=5, initial_epoch=resumed.latest_epoch(), verbose=0, callbacks=[resumed, check])
    assert epochs_run == [4, 5]
    assert resumed.restored_state == {"seen": [1, 2, 3]}
    assert not (tmp_path / "backup").exists()  # removed when training ends


def test_a_half_written_backup_is_ignored(tmp_path):
    model, x, y = model_and_data()
    backup = AtomicBackupAndRestore(tmp_path / "b", delete_checkpoint=False)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[backup])
    # What a kill during the next save leaves: a temporary folder, never an epoch folder.
    partial = tmp_path / "b" / ".tmp-epoch-00003"
    partial.mkdir()
    (partial / "latest.weights.h5").write_bytes(b"garbage")
    assert AtomicBackupAndRestore(tmp_path / "b").latest_epoch() == 2
    epochs_run = []
    model.fit(x, y, epochs=3, initial_epoch=2, verbose=0, callbacks=[AtomicBackupAndRestore(tmp_path / "b"),
              keras.callbacks.LambdaCallback(on_epoch_begin=lambda e, logs: epochs_run.append(e + 1))])
    assert epochs_run == [3]
    assert not (tmp_path / "b").exists()  # finished: backups (and the partial folder) removed


def test_the_optimizers_state_comes_back_too(tmp_path):
    model, x, y = model_and_data()
    model.fit(x, y, epochs=2, verbose=0, callbacks=[AtomicBackupAndRestore(tmp_path / "b", delete_checkpoint=False)])
    moments = [v.numpy().copy() for v in model.optimizer.variables]
    model2, _, _ = model_and_data()
    seen = {}
    spy = keras.callbacks.LambdaCallback(
        on_train_begin=lambda logs: seen.update(moments=[v.numpy().copy() for v in model2.optimizer.variables]))
    model2.fit(x, y, epochs=2, initial_epoch=2, verbose=0, callbacks=[AtomicBackupAndRestore(tmp_path / "b"), spy])
    assert len(seen["moments"]) == len(moments) > 2
    for a, b in zip(seen["moments"], moments):
        np.testing.assert_array_equal(a, b)
