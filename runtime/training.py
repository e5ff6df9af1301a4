"""`train`'s bookkeeping, the same for every template: the template's recipe (`Task.train`) runs inside it.

    devices, precision, XLA, seeds -> the task reads and checks its data -> the run folder (new, or the unfinished
    one to resume) -> the recipe -> the run's knobs and metrics to TensorBoard's HParams -> metrics.json

`metrics.json` is written last and only here (and by `evaluate`): a run folder that has it is finished, so a
killed run, which never wrote it, resumes when the same command runs again.
"""

import dataclasses

from ..callbacks import checkpoint
from ..callbacks import tensorboard as board
from . import config as config_lib
from . import device, rundir
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
        print(f"{'resuming' if self.resumed else 'starting'} run {self.run.path} at epoch {self.epochs_done + 1}: "
              f"{details}", flush=True)


def train(task, config):
    """The `train` verb: runs `task`'s recipe in a run folder; returns `(run, metrics)`."""
    setup = device.setup(config.train.precision, config.train.jit_compile)
    set_seed(config.train.seed, config.train.deterministic)
    data = task.read_data(config)
    config_dict = config_lib.to_dict(config)
    run, resumed = rundir.prepare_run(config.run.dir, config_dict, config.run.name or None)
    metrics = task.train(config, data, Session(run, resumed, setup))
    board.log_hparams(run.logs, config_lib.flatten(config_dict), metrics)
    write_json(run.metrics, metrics)
    return run, metrics
