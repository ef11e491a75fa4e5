"""`AtomicBackupAndRestore`: resumable training whose every backup is complete or absent."""

from __future__ import annotations

import json
import pathlib
import shutil
from typing import Callable, Optional

import keras
import numpy as np


class AtomicBackupAndRestore(keras.callbacks.Callback):
    """Resumable training that survives `kill -9` at any moment (public Keras API only).

    After each epoch the weights (with the optimizer's state), the states of the model's random-number
    generators (Dropout, augmentation: `save_weights` leaves them out), the epoch number and optional extra
    state are written to a temporary folder that is renamed to `backup_dir/epoch-NNNNN` in one step;
    older backups are then removed. At the start of training the newest complete backup is loaded.
    Pass `initial_epoch=backup.latest_epoch()` to `fit` so that it continues where the backup ends.

    Args:
        backup_dir: where backups live.
        state: optional callable returning extra JSON-able state to keep with each backup
            (the CLI keeps the history rows); the newest backup's is in `restored_state`.
        delete_checkpoint: remove the backups when training ends normally.

    Example:
        >>> import tempfile
        >>> cb = AtomicBackupAndRestore(tempfile.mkdtemp())
        >>> cb.latest_epoch(), cb.restored_state
        (0, {})
    """

    def __init__(self, backup_dir, state: Optional[Callable[[], dict]] = None, delete_checkpoint=True):
        super().__init__()
        self.root = pathlib.Path(backup_dir)
        self.state = state
        self.delete_checkpoint = delete_checkpoint
        latest = self._latest_dir()
        self.restored_state: dict = (json.loads((latest / "state.json").read_text())
                                     if latest is not None and (latest / "state.json").is_file() else {})

    def _latest_dir(self) -> Optional[pathlib.Path]:
        if not self.root.is_dir():
            return None
        done = sorted(p for p in self.root.glob("epoch-*") if (p / "training_metadata.json").is_file())
        return done[-1] if done else None

    def latest_epoch(self) -> int:
        """Number of finished epochs in the newest complete backup (0 when there is none)."""
        latest = self._latest_dir()
        if latest is None:
            return 0
        return int(json.loads((latest / "training_metadata.json").read_text())["epoch"])

    def on_train_begin(self, logs=None):
        latest = self._latest_dir()
        if latest is not None:
            optimizer = self.model.optimizer
            if optimizer is not None and not optimizer.built:  # its state is in the backup too
                optimizer.build(self.model.trainable_variables)
            self.model.load_weights(str(latest / "latest.weights.h5"))
            states = latest / "seed_generators.npz"
            if states.is_file():  # Dropout's and augmentation's random streams continue where they were
                with np.load(states) as saved:
                    for i, variable in enumerate(_seed_states(self.model)):
                        variable.assign(saved[f"s{i:04d}"])

    def on_epoch_end(self, epoch, logs=None):
        self.root.mkdir(parents=True, exist_ok=True)
        done = epoch + 1
        final = self.root / f"epoch-{done:05d}"
        tmp = self.root / f".tmp-epoch-{done:05d}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        self.model.save_weights(str(tmp / "latest.weights.h5"), overwrite=True)
        np.savez(tmp / "seed_generators.npz", **{f"s{i:04d}": keras.ops.convert_to_numpy(v)
                                                 for i, v in enumerate(_seed_states(self.model))})
        if self.state is not None:
            (tmp / "state.json").write_text(json.dumps(self.state()))
        (tmp / "training_metadata.json").write_text(json.dumps({"epoch": done}))
        shutil.rmtree(final, ignore_errors=True)
        tmp.rename(final)  # the backup appears complete, in one step
        for old in self.root.glob("epoch-*"):
            if old != final:
                shutil.rmtree(old, ignore_errors=True)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint:
            shutil.rmtree(self.root, ignore_errors=True)


def _seed_states(model) -> list:
    """The states of the model's random-number generators (Dropout, augmentation), which `save_weights`
    leaves out, in the model's own order."""
    weights = {id(w) for w in model.weights}
    return [v for v in model.variables if id(v) not in weights and "seed_generator" in v.path]
