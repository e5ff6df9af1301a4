"""`train`'s bookkeeping, the same for every template: the template's recipe (`Task.train`) runs inside it.

    the processes joined (several: runtime/processes.py) -> devices, precision, XLA, seeds -> the task reads and
    checks its data -> the run folder (new, or the unfinished one to resume, its newest checkpoint checked; with
    several processes, process 0's) -> the recipe -> the run's knobs and metrics to TensorBoard's HParams ->
    metrics.json

`metrics.json` is written last and only here (and by `evaluate`): a run folder that has it is finished, so a
killed run, which never wrote it, resumes when the same command runs again. A resume whose config no longer fits
the checkpoint ends in one line that names the settings that changed.
"""

import dataclasses

import keras

from ..callbacks import checkpoint
from ..callbacks import tensorboard as board
from . import config as config_lib
from . import device, processes, progress, rundir
from .errors import UserError
from .files import write_json
from .seed import set_seed


@dataclasses.dataclass
class Session:
    """One `train` command's run: its folder, whether it resumed, and the devices and precision it trains with."""

    run: rundir.Run
    resumed: bool
    setup: device.Setup

    @property
    def epochs_done(self):
        """Epochs the run's newest checkpoint holds (its `state.json`), 0 for a new run."""
        state = checkpoint.resume_state(self.run.checkpoints)
        return state["epochs_done"] if state else 0

    def announce(self, details):
        """The first line of a run: where it starts, and what it trains on (`details`)."""
        print(
            f"{'resuming' if self.resumed else 'starting'} run {self.run.path} at epoch {self.epochs_done + 1}: "
            f"{details}",
            flush=True,
        )


def check_backend(task, config):
    """A backend the task does not run on with `config` ends here, in one line (`Task.backends_for`)."""
    backend = keras.backend.backend()
    backends, reason = task.backends_for(config)
    if backend not in backends:
        raise UserError(
            f"KERAS_BACKEND={backend}: {task.name} runs on {' or '.join(backends)} only ({reason}); "
            f"unset KERAS_BACKEND or set it to {backends[0]}"
        )


def train(task, config):
    """The `train` verb: runs `task`'s recipe in a run folder; returns `(run, metrics)`."""
    check_backend(task, config)
    progress.use(config.train.progress)
    if hasattr(config, "distribution"):
        processes.connect(processes.resolved(config.distribution))
    setup = device.setup(config.train.precision, config.train.jit_compile)
    set_seed(config.train.seed, config.train.deterministic)
    data = task.read_data(config)
    config_dict = config_lib.to_dict(config)
    with processes.run_folder(config.run.dir, config_dict, config.run.name or None) as (run, resumed):
        if resumed:
            checkpoint.recover(run.checkpoints)
        try:
            metrics = task.train(config, data, Session(run, resumed, setup))
        except checkpoint.CheckpointMismatch as error:
            changes = "; ".join(rundir.changed_settings(run, config_dict)) or "no setting"
            raise UserError(
                f"{error}: the settings differ from the run's ({changes}); resume with the run's own settings "
                f"({run.config_file}), or pass run.name=<new name> to train this config as a new run"
            ) from None
    board.log_hparams(run.logs, run.path.name, task.hparams, config_lib.flatten(config_dict), metrics, task.scores)
    write_json(run.metrics, metrics)
    return run, metrics
