"""`AtomicBackupAndRestore`: Keras' `BackupAndRestore`, with each backup complete or absent."""

from __future__ import annotations

import json
import pathlib
import shutil
from typing import Callable, Optional

import keras


class AtomicBackupAndRestore(keras.callbacks.BackupAndRestore):
    """Resumable training that survives `kill -9` at any moment.

    Keras' `BackupAndRestore` writes the weights, then the epoch number, in place: a kill between
    the two leaves weights of one epoch labelled with another. Here each backup is written to a
    temporary folder and renamed to `backup_dir/epoch-NNNNN` in one step; the newest complete
    folder is the one restored, older ones are removed.

    Args:
        backup_dir: where backups live.
        state: optional callable returning extra JSON-able state to keep with each backup
            (the CLI keeps the history rows); after restoring, it is in `restored_state`.
        delete_checkpoint: remove the backups when training ends (as Keras' default).

    Example:
        >>> cb = AtomicBackupAndRestore("/tmp/keras_fer_doctest_backup")
        >>> cb.latest_epoch()
        0
    """

    def __init__(self, backup_dir, state: Optional[Callable[[], dict]] = None, delete_checkpoint=True):
        super().__init__(str(backup_dir), save_freq="epoch", delete_checkpoint=delete_checkpoint)
        self.root = pathlib.Path(backup_dir)
        self.state = state
        self.restored_state: dict = {}
        self._point_at(self._latest_dir())

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

    def _point_at(self, folder: Optional[pathlib.Path]):
        folder = folder or self.root / "none"
        self._weights_path = str(folder / "latest.weights.h5")
        self._training_metadata_path = str(folder / "training_metadata.json")
        self._prev_weights_path = self._weights_path + ".bkp"
        self._prev_training_metadata_path = self._training_metadata_path + ".bkp"

    def _load_model(self):
        latest = self._latest_dir()
        self._point_at(latest)
        if latest is not None and (latest / "state.json").is_file():
            self.restored_state = json.loads((latest / "state.json").read_text())
        super()._load_model()

    def _save_model(self):
        self.root.mkdir(parents=True, exist_ok=True)
        final = self.root / f"epoch-{self._current_epoch:05d}"
        tmp = self.root / f".tmp-epoch-{self._current_epoch:05d}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        self.model.save_weights(str(tmp / "latest.weights.h5"), overwrite=True)
        if self.state is not None:
            (tmp / "state.json").write_text(json.dumps(self.state()))
        (tmp / "training_metadata.json").write_text(
            json.dumps({"epoch": self._current_epoch, "batch": self._last_batch_seen})
        )
        shutil.rmtree(final, ignore_errors=True)
        tmp.rename(final)  # the backup appears complete, in one step
        self._point_at(final)
        for old in self.root.glob("epoch-*"):
            if old != final:
                shutil.rmtree(old, ignore_errors=True)
