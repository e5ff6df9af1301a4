"""Run folders: `runs/<name>/` holds the resolved config, logs, checkpoints, history, metrics and model.

`train` either starts a new run or resumes an unfinished one; a run is finished once `train` wrote
its `metrics.json`. Without an explicit name, the newest unfinished run with the same config resumes,
so rerunning the command that was killed continues it.
"""

import datetime
import json
from pathlib import Path

from . import config as config_lib
from .errors import UserError
from .files import write_text


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


def prepare_run(runs_root, config_dict, name=None):
    """Returns `(run, resumed)`: the run to train in, creating it when nothing resumes."""
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
    return run, resumed


def open_run(path):
    """A finished or unfinished run given on the command line; a wrong path is a `UserError`."""
    run = Run(path)
    if not run.config_file.is_file():
        raise UserError(f"{run.path} is not a run folder (no config.yaml): pass a folder under runs/")
    return run


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
