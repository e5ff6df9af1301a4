"""Checkpoints that survive a kill at any moment and a damaged disk, and resume from them.

Keras' `ModelCheckpoint` and `BackupAndRestore` write their files in place, so a kill during a write
leaves a broken file. Here every file is written beside its target and renamed over it, and the
small `state.json` that names the newest checkpoint is written last, with each file's size and
SHA-256: whatever moment the process dies, `state.json` names a complete checkpoint.

The checkpoint before it stays on disk (`state.previous.json` names it) until the next one is complete.
Before a run resumes, `recover` checks the newest against what was written; a damaged one (a truncated
file, flipped bytes, an unreadable `state.json`) is reported by name, and the run goes on from the one
before it.
"""

import hashlib
import json
import math
import sys
import zipfile

import keras

from ..runtime.errors import UserError
from ..runtime.files import atomic_path, read_json, write_json, write_text

STATE_FILE = "state.json"
PREVIOUS_STATE_FILE = "state.previous.json"
# What a callback counting epochs without a gain (ReduceLROnPlateau, EarlyStopping) needs to go on after a resume.
PATIENCE_COUNTS = ("best", "wait", "cooldown_counter")


def resume_state(directory):
    """The newest checkpoint's `state.json`, or None: `{"epochs_done": n, "files": {name: fingerprint}, ...}` and
    what its writer recorded (`ResumableCheckpoint`: "weights", "phase", "phase_start", "stopped_early")."""
    path = directory / STATE_FILE
    return read_json(path) if path.is_file() else None


def fingerprint(path):
    """`{"bytes": size, "sha256": digest}` of a file, what `recover` compares the file on disk with."""
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    return {"bytes": path.stat().st_size, "sha256": digest}


def save_checkpoint(directory, state, writers):
    """Writes one checkpoint: `writers` (`{file name: function(path) writing that file}`) each write their file
    atomically, then `state.json` names them, with `state` and their fingerprints. The checkpoint it replaces becomes
    `state.previous.json`; files neither names any more are removed."""
    files = {}
    for name, write in writers.items():
        with atomic_path(directory / name) as temporary:
            write(temporary)
            files[name] = fingerprint(temporary)
    newest, previous = directory / STATE_FILE, directory / PREVIOUS_STATE_FILE
    dropped = _named_files(previous)
    if newest.is_file():
        write_text(previous, newest.read_text(encoding="utf-8"))
    write_json(newest, {**state, "files": files})
    for name in dropped - set(files) - _named_files(previous):
        (directory / name).unlink(missing_ok=True)


def update_state(directory, **changes):
    """Rewrites the newest `state.json` with `changes`, the same checkpoint files (e.g. to record an early stop)."""
    write_json(directory / STATE_FILE, {**resume_state(directory), **changes})


def recover(directory):
    """Checks the newest checkpoint in `directory` before a run resumes from it; returns its state, or None when
    the run has none. A damaged newest checkpoint is reported in one line and the one before it takes its place;
    when neither is usable, a `UserError` says so and nothing is changed."""
    newest, previous = directory / STATE_FILE, directory / PREVIOUS_STATE_FILE
    if not newest.is_file() and not previous.is_file():
        return None
    problems = []
    for path in (newest, previous):
        if not path.is_file():
            continue
        state, problem = _checked_state(directory, path)
        if problem is None:
            if problems:
                print(
                    f"warning: {problems[0]}; resuming from the checkpoint before it (after epoch "
                    f"{state['epochs_done']})",
                    file=sys.stderr,
                    flush=True,
                )
                write_text(newest, path.read_text(encoding="utf-8"))
            return state
        problems.append(problem)
    raise UserError(
        f"{'; '.join(problems)}, so this run cannot resume: delete {directory.parent} to train it from the start, "
        f"or pass run.name=<new name>"
    )


def _read_state(path):
    """What the state file `path` holds, or None when it is missing or not what a checkpoint writes."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    whole = isinstance(state, dict) and isinstance(state.get("files"), dict) and "epochs_done" in state
    return state if whole else None


def _checked_state(directory, path):
    """`(state, None)` when `path` and every file it names are as written, else `(None, what is wrong)`."""
    state = _read_state(path)
    if state is None:
        return None, f"checkpoint {path} is damaged (not the JSON a checkpoint writes)"
    for name, written in state["files"].items():
        file = directory / name
        if not file.is_file():
            return None, f"checkpoint file {file} is missing"
        found = fingerprint(file)
        if found["bytes"] != written["bytes"]:
            return None, f"checkpoint file {file} is damaged ({found['bytes']} bytes, {written['bytes']} written)"
        if found["sha256"] != written["sha256"]:
            return None, f"checkpoint file {file} is damaged (its bytes differ from those written)"
    return state, None


def _named_files(state_path):
    return set((_read_state(state_path) or {}).get("files", {}))


class ResumableCheckpoint(keras.callbacks.Callback):
    """Saves weights and optimizer state after every epoch, and restores them when `fit` starts.

    Args:
        directory: a `pathlib.Path`; holds `state.json` and the newest `epoch-NNNN.weights.h5` (and the one before).
        phase: the name of this stage of training (e.g. "head", "finetune"). A checkpoint written in
            another phase restores the weights only, because that phase's optimizer differs.
        phase_start: the epoch this phase began at. A phase may end early (early stopping), so the
            next phase's epochs start wherever it stopped; the state records it for a resume.
        patience: callbacks that count epochs without a gain (`ReduceLROnPlateau`, `EarlyStopping`), listed before
            this one; their counts and best value are saved with each checkpoint and restored with it, so a
            resumed run halves its learning rate, or stops, at the epoch the uninterrupted run would have.

    Example:

    >>> start = (recover(directory) or {}).get("epochs_done", 0)
    >>> model.fit(data, epochs=10, initial_epoch=start,
    ...           callbacks=[ResumableCheckpoint(directory, phase="train")])
    """

    def __init__(self, directory, phase="train", phase_start=0, patience=()):
        super().__init__()
        self.directory = directory
        self.phase = phase
        self.phase_start = phase_start
        self.patience = list(patience)

    def on_train_begin(self, logs=None):
        state = resume_state(self.directory)
        if state is None:
            return
        weights = self.directory / state["weights"]
        try:
            if state["phase"] == self.phase:
                optimizer = self.model.optimizer
                if not optimizer.built:  # fit builds it lazily, after this hook; its slots must exist to be filled
                    optimizer.build(self.model.trainable_variables)
                self.model.load_weights(weights)
                self._restore_patience(state.get("patience", {}))
            else:
                self.model.load_weights(weights, objects_to_skip=[self.model.optimizer])
        except (ValueError, KeyError) as error:  # the config's model has other layers or shapes than the run's
            raise CheckpointMismatch(weights, error) from None

    def _restore_patience(self, saved):
        for callback in self.patience:
            for name, value in saved.get(type(callback).__name__, {}).items():
                setattr(callback, name, value)

    def _patience_state(self):
        return {
            type(callback).__name__: {
                name: _plain(getattr(callback, name)) for name in PATIENCE_COUNTS if hasattr(callback, name)
            }
            for callback in self.patience
        }

    def on_epoch_end(self, epoch, logs=None):
        name = f"epoch-{epoch + 1:04d}.weights.h5"
        state = {"epochs_done": epoch + 1, "weights": name, "phase": self.phase, "phase_start": self.phase_start}
        state.update(stopped_early=False, patience=self._patience_state())
        save_checkpoint(self.directory, state, {name: self.model.save_weights})

    def on_train_end(self, logs=None):
        """Records an early stop (EarlyStopping, TerminateOnNaN), so a resume goes on with the next phase."""
        state = resume_state(self.directory)
        if self.model.stop_training and state is not None and state["phase"] == self.phase:
            update_state(self.directory, stopped_early=True)


def _plain(number):
    """`number` (a NumPy scalar, say) as JSON writes it."""
    return number if number is None or isinstance(number, int) else float(number)


class CheckpointMismatch(Exception):
    """A checkpoint that does not fit the model being trained: the run's config changed since it was written."""

    def __init__(self, path, error):
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        super().__init__(f"{path} does not fit this config's model ({first_line[:200]})")


class BestModelCheckpoint(keras.callbacks.Callback):
    """Saves the whole model (`.keras`) whenever `monitor` improves, atomically.

    The best value survives a resume: it is kept in a JSON file beside the model, with the model file's fingerprint;
    a best model damaged on disk is reported, and the next epoch's model replaces it.
    """

    def __init__(self, path, monitor="val_loss", mode="min"):
        super().__init__()
        self.path = path
        self.monitor = monitor
        self.better = (lambda new, old: new < old) if mode == "min" else (lambda new, old: new > old)
        self.record = path.with_suffix(".json")
        self.best = self._recorded_best()

    def _recorded_best(self):
        if not self.record.is_file():
            return None
        record = read_json(self.record)
        if self.path.is_file() and fingerprint(self.path) == record.get("file"):
            return record["value"]
        # A kill between the model's rename and the record's leaves a whole model the record does not describe.
        if not (self.path.is_file() and zipfile.is_zipfile(self.path)):
            print(f"warning: {self.path} is damaged or missing; the next epoch's model replaces it", file=sys.stderr)
        return None

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is None or math.isnan(value):
            return
        if self.best is not None and not self.better(value, self.best):
            return
        self.best = float(value)
        with atomic_path(self.path) as temporary:
            self.model.save(temporary)
            written = fingerprint(temporary)
        write_json(self.record, {"monitor": self.monitor, "value": self.best, "epoch": epoch + 1, "file": written})
