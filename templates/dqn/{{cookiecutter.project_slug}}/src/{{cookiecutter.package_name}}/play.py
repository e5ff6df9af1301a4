"""Playing whole episodes with a trained network: the evaluation every epoch, `evaluate`, and GIFs.

Evaluation runs many episodes in parallel copies of the environment, and each copy plays a fixed share
of them. Counting the first N episodes to finish instead would favour short episodes: bad ones.
"""

import numpy as np
import tensorflow as tf

from .data import make_env, make_envs
from .runtime.progress import bar as progress_bar

PARALLEL_EPISODES = 20  # environments stepped together while evaluating


def policy(model, action_count, epsilon=0.0, seed=0):
    """`act(observations) -> actions`: the argmax of the model's Q-values, or with probability `epsilon` a
    uniformly random action. The forward pass is compiled once for any batch size."""
    spec = tf.TensorSpec((None, *model.inputs[0].shape[1:]), model.inputs[0].dtype)
    forward = tf.function(lambda observations: model(observations, training=False), input_signature=[spec])
    rng = np.random.default_rng(seed)

    def act(observations):
        actions = forward(np.asarray(observations)).numpy().argmax(axis=1)
        explore = rng.random(len(actions)) < epsilon
        actions[explore] = rng.integers(0, action_count, explore.sum())
        return actions

    return act


def play_episodes(act, env_config, episodes, seed, progress=False):
    """Returns and lengths of `episodes` episodes, each sub-environment playing its share; `act(observations)`
    gives one action per row. Seeded: the same `seed` plays the same episodes."""
    count = min(episodes, PARALLEL_EPISODES)
    shares = np.full(count, episodes // count) + (np.arange(count) < episodes % count)
    envs = make_envs(env_config, count)
    returns, lengths = [[] for _ in range(count)], [[] for _ in range(count)]
    bar = progress_bar(episodes, unit_name="episode") if progress else None
    observations, _ = envs.reset(seed=seed)
    try:
        while any(len(done) < share for done, share in zip(returns, shares, strict=True)):
            observations, _, _, _, info = envs.step(act(observations))
            for env in np.flatnonzero(info.get("_episode", ())):
                if len(returns[env]) < shares[env]:
                    returns[env].append(float(info["episode"]["r"][env]))
                    lengths[env].append(int(info["episode"]["l"][env]))
                    if bar is not None:
                        bar.add(1)
    finally:
        envs.close()
    return np.concatenate(returns), np.concatenate(lengths)


def record_episode(act, env_config, seed):
    """One episode's RGB frames, its return and its length."""
    environment = make_env(env_config, render=True)
    observation, _ = environment.reset(seed=seed)
    frames, total, done = [environment.render()], 0.0, False
    while not done:
        observation, reward, terminated, truncated, _ = environment.step(int(act(np.asarray(observation)[None])[0]))
        frames.append(environment.render())
        total += float(reward)
        done = terminated or truncated
    environment.close()
    return frames, total, len(frames) - 1
