"""Epsilon-greedy acting: the argmax where the row is greedy, the generator's draws where it explores."""

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.exploration import epsilon_greedy, linear_epsilon

WEIGHTS = np.array([[1.0, -1.0], [-2.0, 0.5], [0.3, 0.2], [0.0, 1.0]])


def q_values(observations):
    return observations @ WEIGHTS


def test_epsilon_greedy_takes_the_argmax_or_the_rngs_draws():
    observations = np.random.default_rng(0).normal(size=(200, 4))
    greedy = q_values(observations).argmax(axis=1)
    assert 0 < greedy.mean() < 1  # both actions appear: the checks below are not trivial
    np.testing.assert_array_equal(epsilon_greedy(q_values, observations, 0.0, np.random.default_rng(5), 2), greedy)
    draws = np.random.default_rng(5)  # what it draws, in its order: explore or not per row, then an action per row
    explore, uniform = draws.random(200) < 0.5, draws.integers(0, 2, 200)
    np.testing.assert_array_equal(
        epsilon_greedy(q_values, observations, 0.5, np.random.default_rng(5), 2), np.where(explore, uniform, greedy)
    )
    draws = np.random.default_rng(5)
    draws.random(200)
    never_called = None  # all random: the network is not called
    np.testing.assert_array_equal(
        epsilon_greedy(never_called, observations, 1.0, np.random.default_rng(5), 2), draws.integers(0, 2, 200)
    )


def test_linear_epsilon():
    assert linear_epsilon(0, 1.0, 0.05, 1000) == 1.0
    assert linear_epsilon(500, 1.0, 0.05, 1000) == pytest.approx(0.525)
    assert linear_epsilon(1000, 1.0, 0.05, 1000) == pytest.approx(0.05)
    assert linear_epsilon(50_000, 1.0, 0.05, 1000) == pytest.approx(0.05)
    assert linear_epsilon(0, 1.0, 0.05, 0) == 0.05
