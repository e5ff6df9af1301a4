"""stable-baselines3's DQN on CartPole-v1 with RL Zoo's published hyperparameters, timed to solve.

Run by `benchmarks/dqn.py` in a Python that has stable-baselines3 (it needs PyTorch, which this
repository does not install). The protocol is the template's: every 2000 environment steps, 20 greedy
episodes; solved when their mean reaches 475; the clock runs from the start of learning and counts the
evaluations. Prints one JSON line.

    python benchmarks/dqn_sb3.py SEED THREADS
"""

import json
import sys
import time

import gymnasium
import stable_baselines3
import torch
from stable_baselines3 import DQN
from stable_baselines3.common.callbacks import EvalCallback, StopTrainingOnRewardThreshold

# rl_zoo3 2.9.2, hyperparams/dqn.yml, CartPole-v1
ZOO = {
    "learning_rate": 2.3e-3,
    "batch_size": 64,
    "buffer_size": 100_000,
    "learning_starts": 1000,
    "gamma": 0.99,
    "target_update_interval": 10,
    "train_freq": 256,
    "gradient_steps": 128,
    "exploration_fraction": 0.16,
    "exploration_final_eps": 0.04,
    "policy_kwargs": {"net_arch": [256, 256]},
}
STEPS = 50_000
SOLVED = 475.0


class Clock(StopTrainingOnRewardThreshold):
    """Stops at the solved line, noting when each evaluation finished."""

    def __init__(self, started):
        super().__init__(reward_threshold=SOLVED)
        self.started, self.evaluations = started, []

    def _on_step(self):
        self.evaluations.append(
            (self.num_timesteps, round(time.perf_counter() - self.started, 2), float(self.parent.last_mean_reward))
        )
        return super()._on_step()


def main(seed, threads):
    torch.set_num_threads(threads)
    environment = gymnasium.make("CartPole-v1")
    agent = DQN("MlpPolicy", environment, seed=seed, device="cpu", verbose=0, **ZOO)
    started = time.perf_counter()
    clock = Clock(started)
    evaluation = EvalCallback(
        gymnasium.make("CartPole-v1"),
        n_eval_episodes=20,
        eval_freq=2000,
        deterministic=True,
        callback_on_new_best=None,
        callback_after_eval=clock,
        verbose=0,
    )
    agent.learn(total_timesteps=STEPS, callback=evaluation)
    solved = [row for row in clock.evaluations if row[2] >= SOLVED]
    best = max(row[2] for row in clock.evaluations)
    print(
        json.dumps(
            {
                "seed": seed,
                "solved": bool(solved),
                "env_steps": solved[0][0] if solved else None,
                "seconds": solved[0][1] if solved else None,
                "best_return": best,
                "total_seconds": round(time.perf_counter() - started, 2),
                "threads": threads,
                "versions": f"stable-baselines3 {stable_baselines3.__version__}, torch {torch.__version__}",
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
