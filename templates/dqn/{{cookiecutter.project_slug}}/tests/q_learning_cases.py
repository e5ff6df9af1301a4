"""Q-learning worked by hand, which both engines' learners must reproduce, and the batches and CartPole episodes
their tests share."""

import gymnasium
import numpy as np

from {{ cookiecutter.package_name }}.exploration import linear_epsilon
from {{ cookiecutter.package_name }}.replay import ReplayBuffer

# Linear networks without hidden layers, Q(s) = s W: online W = identity, target W swaps the two actions.
ONLINE_KERNEL, TARGET_KERNEL = np.eye(2), np.array([[0.0, 1.0], [1.0, 0.0]])
BATCH = {  # three transitions; the last ends its episode (discount 0), so its huge next Q must not count
    "observations": np.array([[2.0, 5.0], [0.5, 0.0], [1.5, 1.0]], "float32"),
    "actions": np.array([1, 0, 0]),
    "returns": np.array([1.0, 0.2, 1.0], "float32"),
    "next_observations": np.array([[3.0, 1.0], [0.0, 4.0], [100.0, -100.0]], "float32"),
    "discounts": np.array([0.9, 0.99, 0.0], "float32"),
}
TAKEN_Q = np.array([5.0, 0.5, 1.5])  # Q_online(s, a): s itself, at the action taken
# Next state [3, 1]: Q_online = (3, 1), Q_target = (1, 3); [0, 4]: Q_online = (0, 4), Q_target = (4, 0).
# Double DQN: a* = argmax Q_online = 0, 1; valued by the target: 1, 0.  Plain: max Q_target = 3, 4.
DOUBLE_TARGETS = np.array([1 + 0.9 * 1, 0.2 + 0.99 * 0, 1.0])  # 1.9, 0.2, 1
PLAIN_TARGETS = np.array([1 + 0.9 * 3, 0.2 + 0.99 * 4, 1.0])  # 3.7, 4.16, 1


def huber(errors, delta):
    errors = np.abs(errors)
    return np.where(errors <= delta, 0.5 * errors**2, delta * (errors - 0.5 * delta))


def sgd_step(kernel, bias, targets, delta, learning_rate=0.1):
    """The online kernel and bias after one SGD step on mean Huber(Q(s, a) - target), by hand."""
    slopes = np.clip(TAKEN_Q - targets, -delta, delta) / len(targets)  # d loss / d Q(s, a)
    taken = np.eye(2)[BATCH["actions"]] * slopes[:, None]  # ... placed at the action taken
    return kernel - learning_rate * BATCH["observations"].T @ taken, bias - learning_rate * taken.sum(axis=0)


HUBER_CASES = [  # double, delta, TD errors, loss
    (True, 1.0, [3.1, 0.3, 0.5], (2.6 + 0.045 + 0.125) / 3),  # Huber: e^2 / 2 below delta, |e| - 1/2 above
    (False, 1.0, [1.3, -3.66, 0.5], (0.8 + 3.16 + 0.125) / 3),
    (True, 2.0, [3.1, 0.3, 0.5], (4.2 + 0.045 + 0.125) / 3),  # delta 2 above: 2 |e| - 2
]


def random_batch(seed, size=16):
    rng = np.random.default_rng(seed)
    return {
        "observations": rng.normal(size=(size, 4)).astype("float32"),
        "actions": rng.integers(0, 2, size),
        "returns": rng.normal(size=size).astype("float32"),
        "next_observations": rng.normal(size=(size, 4)).astype("float32"),
        "discounts": rng.choice([0.0, 0.99], size).astype("float32"),
    }


def greedy_mean_return(learner, episodes, seed):
    """The mean return of one greedy episode in each of `episodes` CartPole copies."""
    envs = gymnasium.make_vec("CartPole-v1", num_envs=episodes, vectorization_mode="sync")
    observations, _ = envs.reset(seed=seed)
    returns, finished = np.zeros(episodes), np.zeros(episodes, bool)
    while not finished.all():  # a copy that has finished is reset by gymnasium; its later rewards are not counted
        observations, rewards, terminated, truncated, _ = envs.step(learner.q_values(observations).argmax(axis=1))
        returns += rewards * ~finished
        finished |= terminated | truncated
    envs.close()
    return returns.mean()


def train_cartpole(learner, seed, steps=6000, num_envs=4):
    """A short DQN run: 6000 environment steps, a round of 2 updates of batch 64 per step of the 4 copies after the
    first 500, epsilon from 1 to 0.05 over the first half."""
    envs = gymnasium.make_vec("CartPole-v1", num_envs=num_envs, vectorization_mode="sync")
    replay = ReplayBuffer(steps, (4,), np.float32, num_envs=num_envs, gamma=0.99, seed=seed)
    rng = np.random.default_rng(seed)
    observations, _ = envs.reset(seed=seed)
    for step in range(0, steps, num_envs):
        actions = learner.act(observations, linear_epsilon(step, 1.0, 0.05, steps // 2), rng)
        next_observations, rewards, terminated, truncated, _ = envs.step(actions)
        replay.add(observations, actions, rewards, next_observations, terminated, truncated)
        observations = next_observations
        if step >= 500:
            learner.update_round(replay.sample(2 * 64), 2)
    envs.close()
    return learner
