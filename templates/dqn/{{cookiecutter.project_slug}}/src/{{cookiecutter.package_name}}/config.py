"""The typed config of this project: every knob of `configs/default.yaml`, with its checks."""

import dataclasses
from typing import Literal, Union

from .runtime import settings
from .runtime.config import load_config


@dataclasses.dataclass
class Env:
    id: str = "CartPole-v1"  # a gymnasium id with discrete actions; ALE/<Game>-v5 for Atari (pip install ale-py)
    num_envs: int = 1  # copies stepped together (gymnasium.vector); each step of all of them is num_envs steps
    max_episode_steps: int = 0  # 0: the environment's own time limit; Atari counts frames (frame_skip per step)
    frame_stack: int = 4  # Atari: frames stacked into one observation, so the network sees motion
    frame_skip: int = 4  # Atari: each action repeated for this many frames (AtariPreprocessing)
    screen_size: int = 84  # Atari: frames resized to this square, in grey

    def validate(self):
        if not self.id:
            raise ValueError("env.id is empty: give a gymnasium environment id, e.g. CartPole-v1")
        for key in ("num_envs", "frame_stack", "frame_skip", "screen_size"):
            if getattr(self, key) < 1:
                raise ValueError(f"env.{key} is {getattr(self, key)}, expected 1 or more")
        if self.max_episode_steps < 0:
            raise ValueError(f"env.max_episode_steps is {self.max_episode_steps}, expected 0 (the env's) or more")


@dataclasses.dataclass
class Network:
    kind: Literal["auto", "mlp", "cnn"] = "auto"  # auto: the Nature-DQN CNN for pixels, an MLP otherwise
    hidden_units: list[int] = dataclasses.field(default_factory=lambda: [256, 256])  # mlp: width of each layer
    dueling: bool = False  # Q = V + A - mean(A): a value and an advantage stream (Wang et al. 2016)

    def validate(self):
        if not self.hidden_units or min(self.hidden_units) < 1:
            raise ValueError(f"network.hidden_units is {self.hidden_units}, expected a list of widths >= 1")
{%- if cookiecutter.engine == "tf-agents" %}
        if self.dueling:
            raise ValueError(
                "network.dueling is true, but tf-agents' QNetwork has no dueling head: set "
                "network.dueling: false, or bake the project with the keras engine"
            )
{%- endif %}


@dataclasses.dataclass
class Agent:
    gamma: float = 0.99  # discount of future rewards
    n_step: int = 1  # rewards summed before bootstrapping; 3 often learns faster
    double: bool = True  # Double DQN: the online network picks the next action, the target network values it
    buffer_size: int = 100_000  # transitions kept for replay
    batch_size: int = 64
    learning_starts: int = 1000  # environment steps of random play before the first update
    train_frequency: int = 256  # environment steps between rounds of updates
    gradient_steps: int = 128  # updates in each round
    target_update: Literal["hard", "polyak"] = "hard"  # hard: copy every interval; polyak: move by tau each update
    target_update_interval: int = 128  # updates between hard copies of the online network into the target
    tau: float = 0.005  # polyak: target <- tau * online + (1 - tau) * target
    huber_delta: float = 1.0  # the Huber loss is quadratic below, linear above: big TD errors do not explode
    epsilon_start: float = 1.0  # exploration: the share of random actions, from start to end, linearly
    epsilon_end: float = 0.04
    epsilon_decay_steps: int = 8000  # environment steps

    def validate(self):
        if not 0.0 < self.gamma <= 1.0:
            raise ValueError(f"agent.gamma is {self.gamma}, expected a number in (0, 1]")
        for key in (
            "n_step",
            "buffer_size",
            "batch_size",
            "train_frequency",
            "gradient_steps",
            "target_update_interval",
        ):
            if getattr(self, key) < 1:
                raise ValueError(f"agent.{key} is {getattr(self, key)}, expected 1 or more")
        if self.learning_starts < self.batch_size:
            raise ValueError(
                f"agent.learning_starts ({self.learning_starts}) must be at least agent.batch_size "
                f"({self.batch_size}): the first batch is drawn from that many steps"
            )
        if not 0.0 < self.tau <= 1.0:
            raise ValueError(f"agent.tau is {self.tau}, expected a number in (0, 1]")
        for key in ("epsilon_start", "epsilon_end"):
            if not 0.0 <= getattr(self, key) <= 1.0:
                raise ValueError(f"agent.{key} is {getattr(self, key)}, expected a number in [0, 1]")
        if self.epsilon_decay_steps < 0 or self.huber_delta <= 0:
            raise ValueError("agent.epsilon_decay_steps must be 0 or more and agent.huber_delta above 0")


@dataclasses.dataclass
class Evaluate:
    episodes: int = 100  # greedy episodes `evaluate` (and the end of `train`) averages
    epsilon: float = 0.0  # random actions while evaluating (0: greedy; Atari papers use 0.05)
    gif_episodes: int = 1  # episodes recorded as GIFs at the end of training and by `predict`
    fps: int = 30
    probe_states: str = "data/sample/probe_states.npy"  # states whose mean max Q is tracked each epoch (Mnih et
    #   al. 2015); empty: 1000 states of random play are recorded into the run folder at the start

    def validate(self):
        if self.episodes < 1 or self.gif_episodes < 0 or self.fps < 1:
            raise ValueError("evaluate.episodes and evaluate.fps must be 1 or more, evaluate.gif_episodes 0 or more")
        if not 0.0 <= self.epsilon <= 1.0:
            raise ValueError(f"evaluate.epsilon is {self.epsilon}, expected a number in [0, 1]")


@dataclasses.dataclass
class Train(settings.ClippedTrain):
    """An epoch is `steps_per_epoch` environment steps, then a greedy evaluation and a checkpoint."""

    epochs: int = 25
    steps_per_epoch: int = 2000
    learning_rate: float = 0.0023
    clip_norm: float = 10.0  # gradient norm clipping; 0: off
    eval_episodes: int = 20  # greedy episodes after each epoch; the best epoch's network is kept
    solved_return: Union[float, Literal["auto", "none"]] = "auto"  # auto: the env's reward_threshold (CartPole: 475)
    stop_when_solved: bool = True  # stop once an epoch's evaluation reaches solved_return

    def validate(self):
        super().validate()
        if self.steps_per_epoch < 1 or self.eval_episodes < 1:
            raise ValueError("train.steps_per_epoch and train.eval_episodes must be 1 or more")
        if self.schedule != "constant":
            raise ValueError(
                f"train.schedule is {self.schedule}, but the Q-learning loop trains at a constant learning rate: "
                f"set train.schedule: constant (its targets move as it learns, so no epoch is the last word)"
            )
{%- if cookiecutter.engine == "tf-agents" %}
        if self.precision != "float32":
            raise ValueError(
                f"train.precision is {self.precision}, but tf-agents' networks learn in float32 only: "
                f"set train.precision: float32"
            )
{%- endif %}


@dataclasses.dataclass
class Config:
    env: Env = dataclasses.field(default_factory=Env)
    network: Network = dataclasses.field(default_factory=Network)
    agent: Agent = dataclasses.field(default_factory=Agent)
    evaluate: Evaluate = dataclasses.field(default_factory=Evaluate)
    train: Train = dataclasses.field(default_factory=Train)
    run: settings.Run = dataclasses.field(default_factory=settings.Run)


def load(path, overrides=()):
    return load_config(Config, path, overrides)
