"""Exploration: how often the agent acts at random instead of greedily, and the epsilon-greedy choice itself.

A new Q-network knows nothing, so early actions are mostly random; the share of random actions (epsilon) then
falls linearly, and the agent relies more and more on what it has learned while still trying the other actions
now and then.

    epsilon = linear_epsilon(step, 1.0, 0.05, 10_000)
    actions = epsilon_greedy(learner.q_values, observations, epsilon, rng, action_count=2)
"""

import numpy as np


def linear_epsilon(step, start, end, decay_steps):
    """The share of random actions at environment step `step`: `start` -> `end` over `decay_steps`, then `end`."""
    if decay_steps <= 0:
        return end
    return start + (end - start) * min(step / decay_steps, 1.0)


def epsilon_greedy(q_values, observations, epsilon, rng, action_count):
    """Actions for a batch: each row random with probability `epsilon`, else the argmax of `q_values(observations)`.

    `rng` (a numpy Generator) draws, in this order, whether each row explores, then a uniform action for each
    row, whatever `epsilon` is, so a seeded run draws the same numbers however its epsilon schedule goes.
    """
    count = len(observations)
    explore = rng.random(count) < epsilon
    actions = rng.integers(0, action_count, count)
    if not explore.all():  # a network call only when some row is greedy
        actions = np.where(explore, actions, q_values(observations).argmax(axis=-1))
    return actions
