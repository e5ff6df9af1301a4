"""Checkpoints that survive a kill at any moment, and resume from them.

Keras' `ModelCheckpoint` and `BackupAndRestore` write their files in place, so a kill during a write
leaves a broken file. Here every file is written beside its target and renamed over it, and the
small `state.json` that names the newest checkpoint is written last: whatever moment the process
dies, `state.json` names a complete checkpoint.
"""

import math

import keras

from ..runtime.files import atomic_path, read_json, write_json

STATE_FILE = "state.json"


def resume_state(directory):
    """`{"epochs_done": n, "phase": name, "weights": file}` of the newest checkpoint, or None."""
    path = directory / STATE_FILE
    return read_json(path) if path.is_file() else None


class ResumableCheckpoint(keras.callbacks.Callback):
    """Saves weights and optimizer state after every epoch, and restores them when `fit` starts.

    Args:
        directory: a `pathlib.Path`; holds `state.json` and the newest `epoch-NNNN.weights.h5`.
        phase: the name of this stage of training (e.g. "head", "finetune"). A checkpoint written in
            another phase restores the weights only, because that phase's optimizer differs.

    Example:

    >>> start = (resume_state(directory) or {}).get("epochs_done", 0)
    >>> model.fit(data, epochs=10, initial_epoch=start,
    ...           callbacks=[ResumableCheckpoint(directory, phase="train")])
    """

    def __init__(self, directory, phase="train"):
        super().__init__()
        self.directory = directory
        self.phase = phase

    def on_train_begin(self, logs=None):
        state = resume_state(self.directory)
        if state is None:
            return
        weights = self.directory / state["weights"]
        if state["phase"] == self.phase:
            optimizer = self.model.optimizer
            if not optimizer.built:  # fit builds it lazily, after this hook; its slots must exist to be filled
                optimizer.build(self.model.trainable_variables)
            self.model.load_weights(weights)
        else:
            self.model.load_weights(weights, objects_to_skip=[self.model.optimizer])

    def on_epoch_end(self, epoch, logs=None):
        name = f"epoch-{epoch + 1:04d}.weights.h5"
        with atomic_path(self.directory / name) as temporary:
            self.model.save_weights(temporary)
        write_json(self.directory / STATE_FILE, {"epochs_done": epoch + 1, "phase": self.phase, "weights": name})
        for old in self.directory.glob("epoch-*.weights.h5"):
            if old.name != name:
                old.unlink()


class BestModelCheckpoint(keras.callbacks.Callback):
    """Saves the whole model (`.keras`) whenever `monitor` improves, atomically.

    The best value survives a resume: it is kept in a JSON file beside the model.
    """

    def __init__(self, path, monitor="val_loss", mode="min"):
        super().__init__()
        self.path = path
        self.monitor = monitor
        self.better = (lambda new, old: new < old) if mode == "min" else (lambda new, old: new > old)
        self.record = path.with_suffix(".json")
        self.best = read_json(self.record)["value"] if self.record.is_file() else None

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is None or math.isnan(value):
            return
        if self.best is not None and not self.better(value, self.best):
            return
        self.best = float(value)
        with atomic_path(self.path) as temporary:
            self.model.save(temporary)
        write_json(self.record, {"monitor": self.monitor, "value": self.best, "epoch": epoch + 1})
