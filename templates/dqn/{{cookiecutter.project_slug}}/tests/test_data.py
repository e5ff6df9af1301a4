import gymnasium
import numpy as np
import pytest

from {{ cookiecutter.package_name }}.config import Env
from {{ cookiecutter.package_name }}.data import env_spec, read_states
from {{ cookiecutter.package_name }}.play import play_episodes
from {{ cookiecutter.package_name }}.runtime.errors import UserError


def test_cartpole_spec_comes_from_gymnasium():
    spec = env_spec(Env(id="CartPole-v1"))
    assert (spec.observation_shape, spec.observation_dtype, spec.action_count) == ((4,), np.float32, 2)
    assert spec.solved_return == 475 and not spec.channels_first


def test_a_wrong_id_names_the_close_registered_ones():
    with pytest.raises(UserError, match="env.id cartpole-v1 .* did you mean CartPole-v1"):
        env_spec(Env(id="cartpole-v1"))


def test_atari_frames_are_stacked_grey_uint8():
    spec = env_spec(Env(id="ALE/Pong-v5", frame_stack=4, screen_size=84))
    assert (spec.observation_shape, spec.observation_dtype, spec.action_count) == ((4, 84, 84), np.uint8, 6)
    assert spec.channels_first


def test_states_files_are_checked(sample_dir, tmp_path):
    spec = env_spec(Env())
    assert read_states(sample_dir / "probe_states.npy", spec, "probe").shape == (1000, 4)
    assert read_states(sample_dir / "observations" / "observation_0.npy", spec, "input").shape == (1, 4)
    (tmp_path / "broken.npy").write_bytes(b"not numpy")
    with pytest.raises(UserError, match="broken.npy is not a NumPy .npy file"):
        read_states(tmp_path / "broken.npy", spec, "input")
    np.save(tmp_path / "pixels.npy", np.zeros((3, 84, 84), np.uint8))
    with pytest.raises(UserError, match=r"pixels.npy holds states of shape \(84, 84\).*shape \(4,\)"):
        read_states(tmp_path / "pixels.npy", spec, "input")
    with pytest.raises(UserError, match="missing.npy not found"):
        read_states(tmp_path / "missing.npy", spec, "input")


def test_parallel_evaluation_plays_the_episodes_one_environment_would():
    """7 episodes over 7 parallel copies (seed s + i each, as gymnasium seeds a vector env) and again over 3 copies
    playing shares of 3, 2, 2: each copy's episodes are those a single environment plays from its seed."""

    def push_right_when_falling_right(observations):
        return (observations[:, 2] > 0).astype(np.int64)

    def single(seed, count):
        environment = gymnasium.make("CartPole-v1")
        observation, _ = environment.reset(seed=seed)
        returns, total = [], 0.0
        while len(returns) < count:
            observation, reward, terminated, truncated, _ = environment.step(int(observation[2] > 0))
            total += reward
            if terminated or truncated:
                returns.append(total)
                total = 0.0
                observation, _ = environment.reset()
        return returns

    returns, lengths = play_episodes(push_right_when_falling_right, Env(), 3, seed=10)
    assert list(returns) == [single(10 + i, 1)[0] for i in range(3)] and list(lengths) == list(returns)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("{{ cookiecutter.package_name }}.play.PARALLEL_EPISODES", 3)
        returns, _ = play_episodes(push_right_when_falling_right, Env(), 7, seed=10)
    assert list(returns) == single(10, 3) + single(11, 2) + single(12, 2)
    assert len(set(returns)) > 1  # different episodes, not one repeated
