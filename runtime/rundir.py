"""Run folders: `runs/<name>/` holds the resolved config, logs, checkpoints, history, metrics and model.

`train` either starts a new run or resumes an unfinished one; a run is finished once `train` wrote
its `metrics.json`. Without an explicit name, the newest unfinished run with the same config resumes,
so rerunning the command that was killed continues it.
"""

import contextlib
import datetime
import json
import shutil
from pathlib import Path

from . import config as config_lib
from .errors import UserError
from .files import remove_abandoned, write_text


class Run:
    """Paths of one run folder."""

    def __init__(self, path):
        self.path = Path(path)
        self.name = self.path.name
        self.config_file = self.path / "config.yaml"
        self.logs = self.path / "logs"
        self.checkpoints = self.path / "checkpoints"
        self.history = self.path / "history.csv"
        self.metrics = self.path / "metrics.json"

    @property
    def finished(self):
        return self.metrics.is_file()

    def saved_config(self):
        return config_lib.read_yaml(self.config_file)

    def file(self, name):
        return self.path / name


@contextlib.contextmanager
def run_folder(runs_root, config_dict, name=None):
    """Yields `(run, resumed)` as `prepare_run` does. A run folder made here that ends in a `UserError` before its
    first checkpoint (a config the model cannot build, say) is removed again, so no empty run waits to be resumed."""
    existed = bool(name) and (Path(runs_root) / name).exists()  # a folder of the user's, named as the run
    run, resumed = prepare_run(runs_root, config_dict, name)
    try:
        yield run, resumed
    except UserError:
        if not resumed and not existed and not any(run.checkpoints.iterdir()):
            shutil.rmtree(run.path, ignore_errors=True)
        raise


def prepare_run(runs_root, config_dict, name=None):
    """Returns `(run, resumed)`: the run to train in, creating it when nothing resumes. Temporary files that killed
    writers left in it are removed."""
    runs_root = Path(runs_root)
    if name:
        run = Run(runs_root / name)
        if run.finished:
            raise UserError(
                f"run {run.path} already finished: pass run.name=<new name> for a new run, "
                f"or delete that folder to train it again"
            )
        resumed = run.config_file.is_file()
    else:
        run = _unfinished_run_with_config(runs_root, config_dict)
        resumed = run is not None
        if run is None:
            run = Run(runs_root / _new_name(runs_root))
    for folder in (run.path, run.logs, run.checkpoints):
        folder.mkdir(parents=True, exist_ok=True)
    if not resumed:
        write_text(run.config_file, config_lib.dump_yaml(config_dict))
    freed = remove_abandoned(run.path)
    if freed:
        print(f"removed {freed / 1e6:.1f} MB of files that killed writes left in {run.path}", flush=True)
    return run, resumed


def changed_settings(run, config_dict):
    """`key saved -> now` for each setting of `config_dict` that differs from the run's saved config."""
    saved, now = config_lib.flatten(run.saved_config()), config_lib.flatten(config_dict)
    return [
        f"{key} {saved.get(key)} -> {now.get(key)}"
        for key in sorted(saved.keys() | now.keys())
        if saved.get(key) != now.get(key)
    ]


def open_run(path):
    """A finished or unfinished run given on the command line; a wrong path is a `UserError`."""
    run = Run(path)
    if not run.config_file.is_file():
        raise UserError(f"{run.path} is not a run folder (no config.yaml): pass a folder under runs/")
    return run


def trained_model(run):
    """The path of the run's `model.keras`, which `train` writes at its end; a run killed before is a `UserError`
    that says how to finish it."""
    path = run.file("model.keras")
    if path.is_file():
        return path
    try:
        stopped = f"after epoch {json.loads((run.checkpoints / 'state.json').read_text())['epochs_done']}"
    except (OSError, ValueError, KeyError, TypeError):
        stopped = "before its end"
    best = run.checkpoints / "best.keras"
    keep = f", or load its best model so far, {best}, with keras.saving.load_model" if best.is_file() else ""
    raise UserError(
        f"{run.path} has no model.keras: its training stopped {stopped}; run train with its settings "
        f"(train --config {run.config_file} run.name={run.name}) to finish it{keep}"
    )


def _unfinished_run_with_config(runs_root, config_dict):
    if not runs_root.is_dir():
        return None
    wanted = json.dumps(config_dict, sort_keys=True)
    for folder in sorted(runs_root.iterdir(), reverse=True):
        run = Run(folder)
        if not run.config_file.is_file() or run.finished:
            continue
        if json.dumps(run.saved_config(), sort_keys=True) == wanted:
            return run
    return None


def _new_name(runs_root):
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    name, index = stamp, 1
    while (runs_root / name).exists():
        index += 1
        name = f"{stamp}-{index}"
    return name
