"""The data of reinforcement learning: the environment the agent plays, and states saved from it.

- `make_envs`: `env.num_envs` copies of the configured gymnasium environment stepped together
  (`gymnasium.vector.SyncVectorEnv`), with episode statistics. Atari ids (`ALE/...`) get the preprocessing
  of the DQN papers: a random number of no-op starts, each action repeated `frame_skip` frames (max-pooled
  over the last two), grey frames of `screen_size` pixels, and `frame_stack` of them stacked into one
  observation, so a single observation shows motion.
- probe states: a fixed set of states from random play, whose mean max Q is tracked every epoch. The
  return of an episode is noisy; this curve is smooth and shows whether the values still grow (Mnih et al.
  2015, figure 2). `sample-data` writes them for the default environment, with a few single observations
  that show the file format `predict` reads (`.npy`, one observation or a batch).
- `read_environment`: what `train` reads and checks before a run folder exists: the environment's spec,
  the probe states, and the return that counts as solved.
"""

import dataclasses
import os
from pathlib import Path

import gymnasium
import numpy as np

from .environments import ATARI_NAMESPACE, check_environment
from .runtime.errors import UserError

DEFAULT_ENV = "CartPole-v1"
PROBE_STATES = 1000
SAMPLE_OBSERVATIONS = 5
# Frames are drawn off-screen for GIFs: without these, pygame's SDL asks for a display and a sound server.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")


@dataclasses.dataclass
class EnvSpec:
    """What the network and the replay buffer need to know of an environment."""

    observation_shape: tuple
    observation_dtype: np.dtype
    action_count: int
    channels_first: bool  # stacked frames arrive as (stack, height, width)
    solved_return: float | None  # gymnasium's reward_threshold, where the environment has one


@dataclasses.dataclass
class Environment:
    """What `train` reads of its environment before a run folder exists (`read_environment`)."""

    spec: EnvSpec
    probe_states: np.ndarray  # their mean max Q is tracked every epoch
    solved_return: float | None  # the greedy return that counts as solved; None: no such return


def is_atari(env_id):
    return env_id.startswith(ATARI_NAMESPACE)


def make_env(env_config, render=False):
    """One environment as configured; `render`: frames as RGB arrays, for GIFs."""
    options = {"render_mode": "rgb_array"} if render else {}
    if env_config.max_episode_steps:
        options["max_episode_steps"] = env_config.max_episode_steps
    if not is_atari(env_config.id):
        return gymnasium.make(env_config.id, **options)
    environment = gymnasium.make(env_config.id, frameskip=1, **options)  # AtariPreprocessing skips frames itself
    environment = gymnasium.wrappers.AtariPreprocessing(
        environment, frame_skip=env_config.frame_skip, screen_size=env_config.screen_size
    )
    return gymnasium.wrappers.FrameStackObservation(environment, env_config.frame_stack)


def make_envs(env_config, count, render=False):
    """`count` environments stepped together, recording each episode's return and length in `info["episode"]`."""
    envs = gymnasium.vector.SyncVectorEnv([lambda: make_env(env_config, render) for _ in range(count)])
    return gymnasium.wrappers.vector.RecordEpisodeStatistics(envs)


def env_spec(env_config):
    """Checks the id (one clear message if it is wrong) and returns its `EnvSpec`."""
    check_environment(env_config.id)
    environment = make_env(env_config)
    try:
        space = environment.observation_space
        threshold = environment.spec.reward_threshold if environment.spec else None
        return EnvSpec(
            tuple(space.shape),
            space.dtype,
            int(environment.action_space.n),
            channels_first=is_atari(env_config.id),
            solved_return=threshold,
        )
    finally:
        environment.close()


def random_states(env_config, count, seed):
    """`count` observations met while playing uniformly random actions."""
    environment = make_env(env_config)
    environment.action_space.seed(seed)
    observation, _ = environment.reset(seed=seed)
    states = []
    while len(states) < count:
        states.append(np.asarray(observation))
        observation, _, terminated, truncated, _ = environment.step(environment.action_space.sample())
        if terminated or truncated:
            observation, _ = environment.reset()
    environment.close()
    return np.stack(states)


def write_sample_data(directory, env_id=DEFAULT_ENV, seed=0):
    """Probe states and a few single observations of `env_id` from random play; returns what it wrote."""
    from .config import Env

    directory = Path(directory)
    (directory / "observations").mkdir(parents=True, exist_ok=True)
    states = random_states(Env(id=env_id), PROBE_STATES + SAMPLE_OBSERVATIONS, seed)
    np.save(directory / "probe_states.npy", states[:PROBE_STATES])
    for index, state in enumerate(states[PROBE_STATES:]):
        np.save(directory / "observations" / f"observation_{index}.npy", state)
    return f"{PROBE_STATES} probe states and {SAMPLE_OBSERVATIONS} single observations of {env_id} (random play)"


def read_states(path, spec, what, fix="record states of this environment"):
    """A `.npy` file of one observation or a batch of them, as a batch; a wrong file is a `UserError`."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{what} {path} not found: write it with `sample-data`, or save observations with numpy.save")
    try:
        states = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError):
        raise UserError(f"{path} is not a NumPy .npy file: save observations with numpy.save") from None
    if states.shape == spec.observation_shape:
        states = states[None]
    if states.shape[1:] != spec.observation_shape:
        raise UserError(
            f"{path} holds states of shape {states.shape[1:]}, but the environment's observations "
            f"have shape {spec.observation_shape}: {fix}"
        )
    return states.astype(spec.observation_dtype, copy=False)


def probe_states(config, spec, seed):
    """The configured probe states, or states of random play when `evaluate.probe_states` is empty."""
    if not config.evaluate.probe_states:
        return random_states(config.env, PROBE_STATES, seed)
    return read_states(
        config.evaluate.probe_states,
        spec,
        "evaluate.probe_states",
        fix='set evaluate.probe_states: "" to record them from this environment at the start',
    )


def solved_return(train_config, spec):
    """The return that counts as solved: the config's, or gymnasium's reward_threshold (CartPole-v1: 475)."""
    if train_config.solved_return == "auto":
        return spec.solved_return
    return None if train_config.solved_return == "none" else float(train_config.solved_return)


def read_environment(config):
    """Checks `env.id` and the probe states (a mistake is a `UserError`); returns the `Environment`."""
    spec = env_spec(config.env)
    return Environment(spec, probe_states(config, spec, seed=config.train.seed), solved_return(config.train, spec))
