"""What a killed training run goes on from, written after every epoch so that a kill at any moment leaves
a complete checkpoint:

    checkpoints/agent-0003.npz    online and target networks, optimizer slots, update count
    checkpoints/replay-0003.npz   the replay buffer, its write position and its sampling RNG
    checkpoints/state.json        epochs done, environment steps, episodes, the exploration RNG, the episode
                                  log of the returns chart, and the names of the two files above: written last

Each file is written beside its final name and renamed into place, and `state.json` names files that
are already whole, with their sizes and digests. The checkpoint before stays until this one is complete, and
a damaged newest checkpoint is reported and skipped before the run resumes (`callbacks/checkpoint.py`).

A resumed run resets its environments (the episodes in flight when it was killed are lost, a few hundred
steps at most) and goes on with the same exploration and sampling random numbers.
"""

import dataclasses

import numpy as np

from .callbacks.checkpoint import CheckpointMismatch, resume_state, save_checkpoint
from .replay import ReplayBuffer


@dataclasses.dataclass
class Progress:
    """Counters and logs of a run, all that is not in the networks or the replay buffer."""

    epochs_done: int = 0
    env_steps: int = 0
    episodes: int = 0
    episode_steps: list = dataclasses.field(default_factory=list)  # environment step each episode ended at
    episode_returns: list = dataclasses.field(default_factory=list)
    evaluation_steps: list = dataclasses.field(default_factory=list)  # environment step of each evaluation
    evaluation_returns: list = dataclasses.field(default_factory=list)  # its mean greedy return
    seconds: float = 0.0  # of playing, learning and evaluating, summed over the epochs (and over resumes)
    stopped: bool = False  # solved or out of patience: a resume goes straight to the final evaluation


def save(directory, progress, learner, replay, rng):
    """Writes one checkpoint of the run after `progress.epochs_done` epochs; the one before it stays until then."""
    tag = f"{progress.epochs_done:04d}"
    agent, buffer = f"agent-{tag}.npz", f"replay-{tag}.npz"
    state = {
        "epochs_done": progress.epochs_done,
        "agent": agent,
        "replay": buffer,
        "rng": rng.bit_generator.state,
        "progress": dataclasses.asdict(progress),
    }

    def write_agent(path):
        with open(path, "wb") as file:
            np.savez(file, **learner.state())

    save_checkpoint(directory, state, {agent: write_agent, buffer: replay.write})


def variable_arrays(variables):
    """`{name: variable}` -> `{name: numpy array}`: a learner's `state()`."""
    return {name: variable.numpy() for name, variable in variables.items()}


def assign_arrays(variables, arrays):
    """Assigns `variable_arrays`' output back into `{name: variable}` built in the same shapes; a ValueError
    names what differs when the saved learner had another network or optimizer."""
    unmatched = sorted(set(variables) ^ set(arrays))
    wrong_shape = [
        name for name, variable in variables.items() if name in arrays and arrays[name].shape != tuple(variable.shape)
    ]
    if unmatched or wrong_shape:
        raise ValueError(
            f"the saved learner state does not fit this network and optimizer: "
            f"{(unmatched + wrong_shape)[:5]} differ (was the network or optimizer changed?)"
        )
    for name, variable in variables.items():
        variable.assign(arrays[name])


def restore(directory, learner, rng):
    """Loads the newest checkpoint into `learner` and `rng`; returns `(progress, replay buffer)`, or None when
    the run has no checkpoint yet."""
    state = resume_state(directory)
    if state is None:
        return None
    with np.load(directory / state["agent"], allow_pickle=False) as saved:
        try:
            learner.load_state(dict(saved))
        except ValueError as error:  # the network or optimizer of the config differs from the run's
            raise CheckpointMismatch(directory / state["agent"], error) from None
    rng.bit_generator.state = state["rng"]
    return Progress(**state["progress"]), ReplayBuffer.load(directory / state["replay"])
