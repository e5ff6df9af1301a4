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
    """The newest checkpoint's `state.json`, or None: `{"epochs_done": n, "weights": file, "phase": name,
    "phase_start": the first epoch of that phase, "stopped_early": whether a callback ended it early}`."""
    path = directory / STATE_FILE
    return read_json(path) if path.is_file() else None


class ResumableCheckpoint(keras.callbacks.Callback):
    """Saves weights and optimizer state after every epoch, and restores them when `fit` starts.

    Args:
        directory: a `pathlib.Path`; holds `state.json` and the newest `epoch-NNNN.weights.h5`.
        phase: the name of this stage of training (e.g. "head", "finetune"). A checkpoint written in
            another phase restores the weights only, because that phase's optimizer differs.
        phase_start: the epoch this phase began at. A phase may end early (early stopping), so the
            next phase's epochs start wherever it stopped; the state records it for a resume.

    Example:

    >>> start = (resume_state(directory) or {}).get("epochs_done", 0)
    >>> model.fit(data, epochs=10, initial_epoch=start,
    ...           callbacks=[ResumableCheckpoint(directory, phase="train")])
    """

    def __init__(self, directory, phase="train", phase_start=0):
        super().__init__()
        self.directory = directory
        self.phase = phase
        self.phase_start = phase_start

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
        self._write_state(epochs_done=epoch + 1, weights=name, stopped_early=False)
        for old in self.directory.glob("epoch-*.weights.h5"):
            if old.name != name:
                old.unlink()

    def on_train_end(self, logs=None):
        """Records an early stop (EarlyStopping, TerminateOnNaN), so a resume goes on with the next phase."""
        state = resume_state(self.directory)
        if self.model.stop_training and state is not None and state["phase"] == self.phase:
            self._write_state(epochs_done=state["epochs_done"], weights=state["weights"], stopped_early=True)

    def _write_state(self, epochs_done, weights, stopped_early):
        write_json(self.directory / STATE_FILE, {"epochs_done": epochs_done, "weights": weights, "phase": self.phase,
                                                 "phase_start": self.phase_start, "stopped_early": stopped_early})


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
