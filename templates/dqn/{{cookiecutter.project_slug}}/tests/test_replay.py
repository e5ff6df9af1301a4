"""The n-step replay buffer: returns and discounts by hand, gymnasium's autoreset steps left out, the ring, resume."""

import gymnasium
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode

from {{ cookiecutter.package_name }}.replay import FIELDS, ReplayBuffer


def add(buffer, observations, actions, rewards, next_observations, terminated=None, truncated=None):
    """One vector step of scalar observations, one number per sub-environment."""
    count = len(actions)
    terminated = np.zeros(count, bool) if terminated is None else np.array(terminated)
    truncated = np.zeros(count, bool) if truncated is None else np.array(truncated)
    buffer.add(
        np.array(observations, np.float32)[:, None],
        np.array(actions),
        np.array(rewards, np.float64),
        np.array(next_observations, np.float32)[:, None],
        terminated,
        truncated,
    )


def stored(buffer):
    """`(observation, action, return, next observation, discount)` per stored slot, as plain numbers."""
    return [
        (float(observation[0]), int(action), float(ret), float(next_observation[0]), float(discount))
        for observation, action, ret, next_observation, discount in zip(
            *(getattr(buffer, name)[: len(buffer)] for name in FIELDS), strict=True
        )
    ]


def test_one_step_transitions_are_the_input_with_discount_gamma_or_zero_on_termination():
    buffer = ReplayBuffer(10, (2, 2, 3), np.uint8, num_envs=3, gamma=0.9)
    observations = np.stack([np.full((2, 2, 3), value, np.uint8) for value in (1, 2, 3)])
    next_observations = observations + 100
    buffer.add(
        observations,
        np.array([0, 1, 2]),
        np.array([1.5, -1.0, 0.25]),
        next_observations,
        terminated=np.array([False, True, False]),
        truncated=np.array([False, False, True]),
    )
    assert len(buffer) == 3 and buffer.observations.dtype == np.uint8 and buffer.returns.dtype == np.float32
    np.testing.assert_array_equal(buffer.observations[:3], observations)
    np.testing.assert_array_equal(buffer.next_observations[:3], next_observations)
    np.testing.assert_array_equal(buffer.actions[:3], [0, 1, 2])
    np.testing.assert_array_equal(buffer.returns[:3], np.float32([1.5, -1.0, 0.25]))
    np.testing.assert_array_equal(buffer.discounts[:3], np.float32([0.9, 0.0, 0.9]))  # truncated bootstraps


def test_three_step_returns_and_discounts_by_hand_for_two_environments_ending_differently():
    """gamma = 0.5 keeps every number exact. Environment 0 terminates after 4 steps, environment 1 is truncated
    after 2; each then takes gymnasium's autoreset step (reward 0) into a new episode (100..., 200...)."""
    buffer = ReplayBuffer(20, (1,), np.float32, num_envs=2, n_step=3, gamma=0.5)
    add(buffer, [0, 50], [0, 10], [1, 10], [1, 51])
    add(buffer, [1, 51], [1, 11], [2, 20], [2, 52], truncated=[False, True])
    add(buffer, [2, 52], [2, 12], [3, 0], [3, 200])  # environment 1 autoresets
    add(buffer, [3, 200], [3, 13], [4, 30], [4, 201], terminated=[True, False])
    add(buffer, [4, 201], [4, 14], [0, 40], [100, 202])  # environment 0 autoresets
    add(buffer, [100, 202], [5, 15], [5, 50], [101, 203])
    assert stored(buffer) == [
        (50, 10, 10 + 0.5 * 20, 52, 0.25),  # truncated: bootstrap from the final observation 52, gamma^2
        (51, 11, 20, 52, 0.5),
        (0, 0, 1 + 0.5 * 2 + 0.25 * 3, 3, 0.125),  # a full window: gamma^3
        (1, 1, 2 + 0.5 * 3 + 0.25 * 4, 4, 0.0),  # terminated inside the window: no bootstrap
        (2, 2, 3 + 0.5 * 4, 4, 0.0),
        (3, 3, 4, 4, 0.0),
        (200, 13, 30 + 0.5 * 40 + 0.25 * 50, 203, 0.125),
    ]  # 100 and 101 are still in flight, waiting for a full window


def test_autoreset_steps_are_never_stored():
    buffer = ReplayBuffer(10, (1,), np.float32, gamma=0.5)
    add(buffer, [0], [0], [1], [1])
    add(buffer, [1], [0], [1], [2], terminated=[True])
    add(buffer, [2], [1], [0], [10])  # autoreset: final observation 2 -> first observation 10
    add(buffer, [10], [0], [1], [11], truncated=[True])
    add(buffer, [11], [1], [0], [20])  # autoreset: 11 -> 20
    add(buffer, [20], [0], [1], [21])
    assert [(observation, next_observation) for observation, _, _, next_observation, _ in stored(buffer)] == [
        (0, 1),
        (1, 2),
        (10, 11),
        (20, 21),
    ]


def test_start_episodes_after_an_environment_reset_drops_the_steps_in_flight():
    buffer = ReplayBuffer(10, (1,), np.float32, n_step=3, gamma=0.5)
    add(buffer, [0], [0], [1], [1])
    add(buffer, [1], [0], [1], [2])
    buffer.start_episodes()  # envs.reset(): observations 0 and 1 belong to an episode that is gone
    add(buffer, [100], [0], [1], [101])
    add(buffer, [101], [0], [1], [102])
    add(buffer, [102], [0], [1], [103])
    assert stored(buffer) == [(100, 0, 1 + 0.5 + 0.25, 103, 0.125)]


def test_the_ring_keeps_the_newest_transitions_and_len_stops_at_capacity():
    buffer = ReplayBuffer(3, (1,), np.float32)
    lengths = []
    for step in range(5):
        add(buffer, [step], [0], [1], [step + 1])
        lengths.append(len(buffer))
    assert lengths == [1, 2, 3, 3, 3]
    assert sorted(buffer.observations[:, 0]) == [2, 3, 4]
    batch = buffer.sample(50)
    assert set(batch) == set(FIELDS) and set(batch["observations"][:, 0]) == {2, 3, 4}
    np.testing.assert_array_equal(batch["next_observations"], batch["observations"] + 1)


def filled_buffer():
    """Two environments, 2-step windows, eight transitions through a ring of four, with ends and autoresets."""
    buffer = ReplayBuffer(4, (1,), np.float32, num_envs=2, n_step=2, gamma=0.9, seed=3)
    for step in range(7):
        add(
            buffer,
            [step, 10 + step],
            [step % 2, 1],
            [1, step],
            [step + 1, 11 + step],
            terminated=[step == 3, False],
            truncated=[False, step == 5],
        )
    buffer.sample(3)  # moves the RNG on, so the saved state is not the seed's
    return buffer


def test_save_and_load_give_the_same_transitions_and_the_same_samples_after(tmp_path):
    buffer = filled_buffer()
    buffer.save(tmp_path / "replay.npz")
    loaded = ReplayBuffer.load(tmp_path / "replay.npz")
    assert (len(loaded), loaded.position, loaded.capacity, loaded.num_envs, loaded.n_step, loaded.gamma) == (
        4,
        buffer.position,
        4,
        2,
        2,
        0.9,
    )
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(loaded, name), getattr(buffer, name))
    for _ in range(3):
        expected, resumed = buffer.sample(8), loaded.sample(8)
        for name in FIELDS:
            np.testing.assert_array_equal(resumed[name], expected[name])
    buffer.start_episodes()  # a resumed run starts its episodes afresh; both then write to the same slots
    for replay in (buffer, loaded):
        add(replay, [50, 60], [1, 0], [2, 3], [51, 61], terminated=[True, True])
    assert stored(loaded) == stored(buffer)


def test_a_failed_save_leaves_the_previous_file_whole(tmp_path, monkeypatch):
    buffer = filled_buffer()
    path = tmp_path / "replay.npz"
    buffer.save(path)
    saved_before, transitions_before = path.read_bytes(), stored(buffer)

    def disk_full(file, **arrays):
        file.write(b"half a zip")
        raise OSError("no space left on device")

    monkeypatch.setattr(np, "savez", disk_full)
    add(buffer, [7, 17], [0, 0], [1, 1], [8, 18])
    with pytest.raises(OSError, match="no space left"):
        buffer.save(path)
    assert [file.name for file in tmp_path.iterdir()] == ["replay.npz"]  # no temporary file left behind
    assert path.read_bytes() == saved_before
    assert stored(ReplayBuffer.load(path)) == transitions_before


def test_cartpole_transitions_stay_within_one_episode_with_the_right_discounts():
    """A real vector loop with random actions. The test keeps its own record of which episode and step every
    observation came from (CartPole's float states do not repeat) and checks each stored transition against it.
    A 15-step time limit makes both terminations (the pole falls) and truncations happen."""
    num_envs, n_step, gamma = 2, 3, 0.9
    envs = gymnasium.make_vec("CartPole-v1", num_envs=num_envs, vectorization_mode="sync", max_episode_steps=15)
    assert envs.metadata["autoreset_mode"] == AutoresetMode.NEXT_STEP
    buffer = ReplayBuffer(
        1000,
        envs.single_observation_space.shape,
        envs.single_observation_space.dtype,
        num_envs=num_envs,
        n_step=n_step,
        gamma=gamma,
    )
    observations, _ = envs.reset(seed=0)
    envs.action_space.seed(0)
    origin = {observations[env].tobytes(): (env, 0, 0) for env in range(num_envs)}  # -> (env, episode, step)
    episode, step, ended = [0] * num_envs, [0] * num_envs, np.zeros(num_envs, bool)
    terminal_observations, endings, real_steps = set(), {"terminated": 0, "truncated": 0}, 0
    for _ in range(300):
        actions = envs.action_space.sample()
        next_observations, rewards, terminated, truncated, _ = envs.step(actions)
        buffer.add(observations, actions, rewards, next_observations, terminated, truncated)
        for env in range(num_envs):
            if ended[env]:  # the autoreset step: reward 0 and a new episode's first observation
                assert rewards[env] == 0 and not terminated[env] and not truncated[env]
                episode[env], step[env] = episode[env] + 1, 0
            else:
                step[env] += 1
                real_steps += 1
            origin[next_observations[env].tobytes()] = (env, episode[env], step[env])
            if terminated[env]:
                terminal_observations.add(next_observations[env].tobytes())
        endings["terminated"] += int(terminated.sum())
        endings["truncated"] += int(truncated.sum())
        ended = terminated | truncated
        observations = next_observations
    envs.close()

    assert endings["terminated"] > 5 and endings["truncated"] > 5
    in_flight = sum(0 if ended[env] else min(step[env], n_step - 1) for env in range(num_envs))
    assert len(buffer) == real_steps - in_flight  # every real step is stored once its window closes
    steps_by_discount = {np.float32(0): 0, **{np.float32(gamma**steps): 0 for steps in range(1, n_step + 1)}}
    for observation, _, ret, next_observation, discount in zip(
        *(getattr(buffer, name)[: len(buffer)] for name in FIELDS), strict=True
    ):
        env, episode_of_observation, first = origin[observation.tobytes()]
        next_env, episode_of_next, last = origin[next_observation.tobytes()]
        assert (env, episode_of_observation) == (next_env, episode_of_next)  # never across an autoreset
        steps = last - first
        assert 1 <= steps <= n_step
        assert ret == pytest.approx(sum(gamma**k for k in range(steps)))  # CartPole pays 1 a step
        terminal = next_observation.tobytes() in terminal_observations
        assert discount == (0 if terminal else np.float32(gamma**steps))
        steps_by_discount[discount] += 1
    assert all(count > 0 for count in steps_by_discount.values())  # full windows, flushes, terminations all seen
