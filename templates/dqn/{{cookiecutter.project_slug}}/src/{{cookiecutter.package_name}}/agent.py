"""The agent-environment loop of DQN: act epsilon-greedily, store each step, learn from replayed batches.

    observe -> act (random with probability epsilon, else argmax Q) -> step the environments -> store
    the transition -> every `train_frequency` steps, `gradient_steps` updates on random replayed batches

Replaying random old transitions breaks the correlation between consecutive steps that makes online
Q-learning diverge; the target network, updated only now and then, keeps the regression target still.
One epoch is `train.steps_per_epoch` environment steps (all parallel environments counted).
"""

import time

import numpy as np

from .exploration import linear_epsilon
from .runtime.progress import bar as progress_bar

BAR_EVERY = 50  # loop iterations between progress-bar refreshes: the bar costs more than a CartPole step


class Agent:
    """Plays `envs` with `learner`'s network, filling `replay`, and updates the network as it goes.

    `progress` (see `resume.Progress`) counts environment steps and episodes across epochs and resumes.
    """

    def __init__(self, envs, learner, replay, agent_config, progress, rng, seed, board):
        self.envs, self.learner, self.replay, self.config = envs, learner, replay, agent_config
        self.progress, self.rng, self.board = progress, rng, board
        self.count = envs.num_envs
        self.observations, _ = envs.reset(seed=seed)
        self.replay.start_episodes()

    def epsilon(self):
        config = self.config
        return linear_epsilon(
            self.progress.env_steps, config.epsilon_start, config.epsilon_end, config.epsilon_decay_steps
        )

    def act(self):
        if self.progress.env_steps < self.config.learning_starts:  # warm-up: the network knows nothing yet
            return self.rng.integers(0, self.envs.single_action_space.n, self.count)
        return self.learner.act(self.observations, self.epsilon(), self.rng)

    def run_epoch(self, steps):
        """Plays `steps` environment steps, learning along; returns the epoch's mean loss, mean Q, training
        episode returns, and environment steps per second."""
        iterations = max(1, steps // self.count)
        bar = progress_bar(iterations * self.count, unit_name="step", stateful_metrics=["return", "epsilon", "loss"])
        losses, values, returns = [], [], []
        started = time.perf_counter()
        for iteration in range(1, iterations + 1):
            actions = self.act()
            next_observations, rewards, terminated, truncated, info = self.envs.step(actions)
            self.replay.add(self.observations, actions, rewards, next_observations, terminated, truncated)
            self.observations = next_observations
            self.progress.env_steps += self.count
            for env in np.flatnonzero(info.get("_episode", ())):
                returns.append(self.record_episode(float(info["episode"]["r"][env]), int(info["episode"]["l"][env])))
            if self.round_due():
                loss, value = self.learn()
                losses.append(loss)
                values.append(value)
            if iteration % BAR_EVERY == 0 or iteration == iterations:
                shown = [("epsilon", self.epsilon())] + ([("loss", losses[-1])] if losses else [])
                bar.update(iteration * self.count, shown + ([("return", np.mean(returns[-20:]))] if returns else []))
        seconds = time.perf_counter() - started
        return {
            "loss": float(np.mean(losses)) if losses else float("nan"),
            "mean_q": float(np.mean(values)) if values else float("nan"),
            "train_return": float(np.mean(returns)) if returns else float("nan"),
            "steps_per_second": iterations * self.count / seconds,
        }

    def round_due(self):
        """Whether these steps crossed a multiple of `train_frequency` environment steps, after the warm-up."""
        steps, every = self.progress.env_steps, self.config.train_frequency
        return steps >= self.config.learning_starts and steps // every > (steps - self.count) // every

    def learn(self):
        """One round of updates; logs its mean loss and mean Q at the current environment step."""
        steps = self.config.gradient_steps
        loss, value = self.learner.update_round(self.replay.sample(steps * self.config.batch_size), steps)
        self.board.scalars(
            {"train/loss": loss, "train/mean_q": value, "train/epsilon": self.epsilon()}, self.progress.env_steps
        )
        return float(loss), float(value)

    def record_episode(self, episode_return, length):
        progress = self.progress
        progress.episodes += 1
        progress.episode_steps.append(progress.env_steps)
        progress.episode_returns.append(episode_return)
        self.board.scalars({"episode/return": episode_return, "episode/length": length}, progress.env_steps)
        return episode_return
