"""The learner: Q-learning targets and Huber loss on numbers worked by hand, the target network's updates,
epsilon-greedy acting, one trace per compiled function, an exact resume from `state()`, and a short
CartPole run that learns."""

import gymnasium
import keras
import numpy as np
import pytest

from {{ cookiecutter.package_name }}.datasets.replay import ReplayBuffer
from {{ cookiecutter.package_name }}.learner import Learner, linear_epsilon
from {{ cookiecutter.package_name }}.q_network import build_q_network

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


def linear_learner(optimizer=None, target_is_online=False, **options):
    online = build_q_network((2,), 2, hidden_units=(), name="online")
    online.set_weights([ONLINE_KERNEL, np.zeros(2)])
    target = online if target_is_online else build_q_network((2,), 2, hidden_units=(), name="target")
    if not target_is_online:
        target.set_weights([TARGET_KERNEL, np.zeros(2)])
    return Learner(online, target, optimizer or keras.optimizers.SGD(0.1), **options)


def huber(errors, delta):
    errors = np.abs(errors)
    return np.where(errors <= delta, 0.5 * errors**2, delta * (errors - 0.5 * delta))


def sgd_step(learner, targets, delta, learning_rate=0.1):
    """The online kernel and bias after one SGD step on mean Huber(Q(s, a) - target), by hand."""
    slopes = np.clip(TAKEN_Q - targets, -delta, delta) / len(targets)  # d loss / d Q(s, a)
    taken = np.eye(2)[BATCH["actions"]] * slopes[:, None]  # ... placed at the action taken
    kernel, bias = learner.online.get_weights()
    return kernel - learning_rate * BATCH["observations"].T @ taken, bias - learning_rate * taken.sum(axis=0)


@pytest.mark.parametrize("double, delta, errors, expected_loss", [
    (True, 1.0, [3.1, 0.3, 0.5], (2.6 + 0.045 + 0.125) / 3),  # Huber: e^2 / 2 below delta, |e| - 1/2 above
    (False, 1.0, [1.3, -3.66, 0.5], (0.8 + 3.16 + 0.125) / 3),
    (True, 2.0, [3.1, 0.3, 0.5], (4.2 + 0.045 + 0.125) / 3),  # delta 2 above: 2 |e| - 2
])
def test_the_loss_is_huber_of_the_td_errors_worked_by_hand(double, delta, errors, expected_loss):
    targets = DOUBLE_TARGETS if double else PLAIN_TARGETS
    np.testing.assert_allclose(TAKEN_Q - targets, errors, atol=1e-6)
    np.testing.assert_allclose(huber(TAKEN_Q - targets, delta).mean(), expected_loss, atol=1e-6)
    learner = linear_learner(double=double, huber_delta=delta)
    expected_weights = sgd_step(learner, targets, delta)
    loss, mean_q = learner.update(BATCH)
    assert loss == pytest.approx(expected_loss, abs=1e-5)
    assert mean_q == pytest.approx(TAKEN_Q.mean(), abs=1e-6)
    for weight, expected in zip(learner.online.get_weights(), expected_weights, strict=True):
        np.testing.assert_allclose(weight, expected, atol=1e-6)


def test_no_gradient_flows_through_the_target():
    # With the online network as its own target, a gradient through the target would change the step.
    learner = linear_learner(target_is_online=True, double=False)
    targets = BATCH["returns"] + BATCH["discounts"] * BATCH["next_observations"].max(axis=1)
    expected_weights = sgd_step(learner, targets, delta=1.0)
    learner.update(BATCH)
    for weight, expected in zip(learner.online.get_weights(), expected_weights, strict=True):
        np.testing.assert_allclose(weight, expected, atol=1e-5)


def test_xla_gives_the_same_step():
    plain, compiled = linear_learner(), linear_learner(jit_compile=True)
    assert compiled.update(BATCH) == pytest.approx(plain.update(BATCH), abs=1e-6)
    for weight, expected in zip(compiled.online.get_weights(), plain.online.get_weights(), strict=True):
        np.testing.assert_allclose(weight, expected, atol=1e-6)


def random_learner(seed=0, hidden_units=(8,), optimizer=None, **options):
    keras.utils.set_random_seed(seed)
    online = build_q_network((4,), 2, hidden_units=hidden_units, name="online")
    target = build_q_network((4,), 2, hidden_units=hidden_units, name="target")
    target.set_weights(online.get_weights())
    return Learner(online, target, optimizer or keras.optimizers.Adam(1e-2), **options)


def random_batch(seed, size=16):
    rng = np.random.default_rng(seed)
    return {"observations": rng.normal(size=(size, 4)).astype("float32"), "actions": rng.integers(0, 2, size),
            "returns": rng.normal(size=size).astype("float32"),
            "next_observations": rng.normal(size=(size, 4)).astype("float32"),
            "discounts": rng.choice([0.0, 0.99], size).astype("float32")}


@pytest.fixture
def mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_float16")
    yield
    keras.mixed_precision.set_global_policy("float32")


def test_mixed_float16_scales_the_loss_and_still_learns(mixed_precision):
    learner = random_learner()
    assert isinstance(learner.optimizer, keras.optimizers.LossScaleOptimizer)  # float16 gradients would underflow
    before = learner.online.get_weights()
    losses = [learner.update(random_batch(0))[0] for _ in range(20)]
    assert np.isfinite(losses).all() and losses[-1] < losses[0]
    assert not np.allclose(learner.online.get_weights()[0], before[0])
    assert learner.q_values(np.zeros((3, 4))).dtype == np.float32


def test_hard_target_updates_copy_exactly_at_the_interval():
    learner = random_learner(target_update="hard", target_update_interval=3)
    copied = learner.online.get_weights()
    for update in range(1, 8):
        learner.update(random_batch(update))
        if update % 3 == 0:
            copied = learner.online.get_weights()
        else:
            assert not np.allclose(learner.online.get_weights()[0], copied[0])
        for weight, expected in zip(learner.target.get_weights(), copied, strict=True):
            np.testing.assert_array_equal(weight, expected)
    assert learner.updates == 7


@pytest.mark.parametrize("options", [{"target_update": "hard", "target_update_interval": 3},
                                     {"target_update": "polyak", "tau": 0.25}, {"jit_compile": True}])
def test_a_round_of_updates_in_one_call_is_the_updates_one_by_one(options):
    """7 updates in one graph equal 7 calls of `update` on the same batches: losses, both networks, the optimizer,
    with the hard copies due at updates 3 and 6 inside the round."""
    batches = [random_batch(seed) for seed in range(7)]
    one_by_one, in_one_call = random_learner(**options), random_learner(**options)
    one_by_one.update(random_batch(99))
    in_one_call.update(random_batch(99))  # the round starts at update 1, so the copies fall inside it
    losses, values = zip(*(one_by_one.update(batch) for batch in batches), strict=True)
    stacked = {name: np.concatenate([batch[name] for batch in batches]) for name in batches[0]}
    assert in_one_call.update_round(stacked, 7) == pytest.approx((np.mean(losses), np.mean(values)), abs=1e-5)
    assert in_one_call.updates == one_by_one.updates == 8
    for name, value in one_by_one.state().items():
        np.testing.assert_allclose(in_one_call.state()[name], value, atol=1e-5, err_msg=name)
    assert in_one_call._train_round.experimental_get_tracing_count() == 1


def test_polyak_target_updates_move_by_tau():
    learner = random_learner(target_update="polyak", tau=0.25)
    for update in range(3):
        before = learner.target.get_weights()
        learner.update(random_batch(update))
        for target, online, old in zip(learner.target.get_weights(), learner.online.get_weights(), before,
                                       strict=True):
            np.testing.assert_allclose(target, 0.25 * online + 0.75 * old, rtol=1e-6, atol=1e-7)


def test_each_compiled_function_is_traced_once():
    learner = random_learner(target_update_interval=2)
    for update, size in enumerate([16, 16, 32, 5]):
        learner.update(random_batch(update, size))
    for size in (1, 7, 64):
        assert learner.q_values(np.zeros((size, 4))).shape == (size, 2)
    assert learner.q_values(np.zeros((3, 4))).dtype == np.float32
    for function in (learner._train_step, learner._move_target, learner._forward):
        assert function.experimental_get_tracing_count() == 1


def test_epsilon_greedy_takes_the_argmax_or_the_rngs_draws(monkeypatch):
    learner = random_learner()
    observations = np.random.default_rng(0).normal(size=(200, 4))
    greedy = learner.q_values(observations).argmax(axis=1)
    assert 0 < greedy.mean() < 1  # both actions appear: the check below is not trivial
    np.testing.assert_array_equal(learner.act(observations, 0.0, np.random.default_rng(5)), greedy)
    draws = np.random.default_rng(5)  # what act draws, in its order: explore or not per row, then an action per row
    explore, uniform = draws.random(200) < 0.5, draws.integers(0, 2, 200)
    np.testing.assert_array_equal(learner.act(observations, 0.5, np.random.default_rng(5)),
                                  np.where(explore, uniform, greedy))
    monkeypatch.setattr(learner, "q_values", None)  # all random: the network is not called
    draws = np.random.default_rng(5)
    draws.random(200)
    np.testing.assert_array_equal(learner.act(observations, 1.0, np.random.default_rng(5)), draws.integers(0, 2, 200))


def test_linear_epsilon():
    assert linear_epsilon(0, 1.0, 0.05, 1000) == 1.0
    assert linear_epsilon(500, 1.0, 0.05, 1000) == pytest.approx(0.525)
    assert linear_epsilon(1000, 1.0, 0.05, 1000) == pytest.approx(0.05)
    assert linear_epsilon(50_000, 1.0, 0.05, 1000) == pytest.approx(0.05)
    assert linear_epsilon(0, 1.0, 0.05, 0) == 0.05


def test_state_restores_an_identical_learner_in_a_fresh_one(tmp_path):
    original = random_learner(seed=0, target_update_interval=3)
    for update in range(5):
        original.update(random_batch(update))
    np.savez(tmp_path / "learner.npz", **original.state())  # as a checkpoint writes it
    with np.load(tmp_path / "learner.npz") as saved:
        restored = random_learner(seed=1, target_update_interval=3)  # other starting weights, a fresh Adam
        restored.load_state(dict(saved))
    assert restored.updates == 5
    # Update 6 moves the online network with Adam's moments and step count; none of it differs.
    assert restored.update(random_batch(5)) == original.update(random_batch(5))
    for name, value in original.state().items():
        np.testing.assert_array_equal(restored.state()[name], value, err_msg=name)
    with pytest.raises(ValueError, match="does not fit"):
        random_learner(hidden_units=(16,)).load_state(original.state())


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


def train_cartpole(seed, steps=6000, num_envs=4):
    """A short DQN run: 6000 environment steps, 2 updates of batch 64 per step of the 4 copies after the first 500,
    epsilon from 1 to 0.05 over the first half, a hard target copy every 250 updates."""
    learner = random_learner(seed, hidden_units=(64, 64), optimizer=keras.optimizers.Adam(1e-3, global_clipnorm=10.0),
                             target_update_interval=250)
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
            for _ in range(2):
                learner.update(replay.sample(64))
    envs.close()
    return learner


def test_a_short_cartpole_run_learns():
    # A random policy averages about 22. Over training seeds 0-9, each evaluated on the episodes of seed 1000 and
    # of seed 2000, the greedy mean return ranged from 107 to 266 (median 180): 75 is never missed, yet far above
    # chance. The run is repeatable: the same seed gives the same return.
    assert greedy_mean_return(train_cartpole(seed=0), episodes=10, seed=1000) > 75
