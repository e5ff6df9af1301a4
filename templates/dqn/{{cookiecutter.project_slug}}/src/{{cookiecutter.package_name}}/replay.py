"""Experience replay for DQN: a numpy ring buffer of n-step transitions from vectorised gymnasium environments.

A transition is `(observation, action, return, next observation, discount)`, with the n-step return
`r_t + gamma r_t+1 + ... + gamma^(m-1) r_t+m-1` and the observation m steps later, m = `n_step`, or fewer
where the episode ended sooner. The Q-learning target is `return + discount * max_a Q_target(next, a)`, so
the discount says whether there is a future to bootstrap from:
- terminated (the pole fell, the game is over): discount 0, the episode has no future;
- truncated (a time limit cut it short): discount gamma^m from the true final observation, whose future
  the time limit hid but did not end;
- otherwise gamma^n_step.

`add` takes one `envs.step` of all sub-environments at once, as gymnasium returns it, plus the observations
the actions were chosen from:

    envs = gymnasium.make_vec("CartPole-v1", num_envs=8, vectorization_mode="sync")
    space = envs.single_observation_space
    buffer = ReplayBuffer(100_000, space.shape, space.dtype, num_envs=8, n_step=3, gamma=0.99)
    observations, _ = envs.reset(seed=0)
    for step in range(steps):
        actions = choose_actions(observations)  # epsilon-greedy over the Q-network
        next_observations, rewards, terminated, truncated, _ = envs.step(actions)
        buffer.add(observations, actions, rewards, next_observations, terminated, truncated)
        observations = next_observations
        if len(buffer) >= 1000:  # warm-up; sampling an empty buffer raises
            batch = buffer.sample(64)  # observations, actions, returns, next_observations, discounts

Autoreset: gymnasium's vector environments (in the default `AutoresetMode.NEXT_STEP`) return the true final
observation from the step that ends an episode, and reset that sub-environment on its *next* `step`, which
ignores the action and returns the new episode's first observation with reward 0. That step is no
transition (final observation -> reset observation), so the buffer remembers which sub-environments ended
on the previous `add` and skips their next step: the loop above stays that plain. Other autoreset modes are
not supported. After an `envs.reset()` in mid-run, call `buffer.start_episodes()`.

Memory: every transition holds its observation and its next observation, 2 x capacity x observation bytes
(CartPole: 32 bytes a transition; 84x84x4 uint8 Atari frames: 56 KB, 5.6 GB for 100 000 transitions).
Storing each frame once and finding the next by index would halve that, but n-step windows, episode ends,
interleaved sub-environments and the ring's seam would all become index arithmetic over neighbouring slots;
a transition that carries its own next observation is right by construction. Lower `capacity` if memory
is short.

Resume: `save` writes the stored transitions, the write position and the sampling RNG state, atomically;
`ReplayBuffer.load` brings them back and sampling continues as if never interrupted. The steps in flight
(at most n_step - 1 per sub-environment, not yet a full window) are not saved: a resumed run resets its
environments, and those few transitions are dropped.
"""

import json

import numpy as np

from .runtime.files import atomic_path

FIELDS = ("observations", "actions", "returns", "next_observations", "discounts")


class ReplayBuffer:
    """The newest `capacity` n-step transitions; when full, each new one overwrites the oldest."""

    def __init__(self, capacity, observation_shape, observation_dtype, num_envs=1, n_step=1, gamma=0.99, seed=0):
        if capacity < 1 or n_step < 1:
            raise ValueError(f"capacity ({capacity}) and n_step ({n_step}) must be at least 1")
        self.capacity, self.num_envs, self.n_step, self.gamma = capacity, num_envs, n_step, gamma
        self.observations = np.zeros((capacity, *observation_shape), observation_dtype)  # uint8 pixels stay uint8
        self.actions = np.zeros(capacity, np.int64)
        self.returns = np.zeros(capacity, np.float32)
        self.next_observations = np.zeros_like(self.observations)
        self.discounts = np.zeros(capacity, np.float32)
        self.position = 0  # the slot the next transition goes to
        self.count = 0
        self.rng = np.random.default_rng(seed)
        self.start_episodes()

    def __len__(self):
        return self.count

    def start_episodes(self):
        """Forgets the steps in flight; call it after `envs.reset()`, which starts every episode afresh."""
        self._windows = [[] for _ in range(self.num_envs)]  # per sub-environment: (observation, action, reward)
        self._ended = np.zeros(self.num_envs, bool)  # sub-environments whose next step is gymnasium's autoreset

    def add(self, observations, actions, rewards, next_observations, terminated, truncated):
        """One step of every sub-environment: arrays with a leading dimension `num_envs`, as `envs.step` returns
        them, and the observations the actions were chosen from."""
        if len(actions) != self.num_envs:
            raise ValueError(f"add takes one step of all {self.num_envs} environments, got {len(actions)} actions")
        autoreset, self._ended = self._ended, np.logical_or(terminated, truncated)
        for env in range(self.num_envs):
            if autoreset[env]:
                continue  # final observation -> reset observation with reward 0: not a real transition
            window = self._windows[env]
            window.append((np.array(observations[env]), int(actions[env]), float(rewards[env])))
            if self._ended[env]:  # each step left reaches the final observation in fewer than n steps
                while window:
                    self._store_oldest(window, next_observations[env], terminated[env])
            elif len(window) == self.n_step:
                self._store_oldest(window, next_observations[env], terminated=False)

    def _store_oldest(self, window, next_observation, terminated):
        """Stores the window's oldest step as the transition to `next_observation`, len(window) steps later."""
        steps = len(window)
        rewards = np.array([reward for _, _, reward in window])
        observation, action, _ = window.pop(0)
        self.observations[self.position] = observation
        self.actions[self.position] = action
        self.returns[self.position] = rewards @ self.gamma ** np.arange(steps)
        self.next_observations[self.position] = next_observation
        self.discounts[self.position] = 0.0 if terminated else self.gamma**steps
        self.position = (self.position + 1) % self.capacity
        self.count = min(self.count + 1, self.capacity)

    def sample(self, batch_size):
        """`batch_size` transitions drawn uniformly, with replacement: a dict of arrays named as in `FIELDS`."""
        if self.count == 0:
            raise ValueError("the replay buffer is empty: add steps before sampling")
        indices = self.rng.integers(0, self.count, batch_size)  # slots 0..count-1 hold transitions, full or not
        return {name: getattr(self, name)[indices] for name in FIELDS}

    def save(self, path):
        """Writes the buffer to an `.npz` atomically: a kill in mid-write leaves the previous file whole."""
        with atomic_path(path) as temporary:
            self.write(temporary)

    def write(self, path):
        """Writes the buffer to the `.npz` file `path`, in place."""
        stored = {name: getattr(self, name)[: self.count] for name in FIELDS}
        with open(path, "wb") as file:
            np.savez(
                file,
                **stored,
                capacity=self.capacity,
                position=self.position,
                num_envs=self.num_envs,
                n_step=self.n_step,
                gamma=self.gamma,
                rng_state=json.dumps(self.rng.bit_generator.state),
            )

    @classmethod
    def load(cls, path):
        """The buffer `save` wrote, sampling on where it left off, with no steps in flight."""
        with np.load(path, allow_pickle=False) as saved:
            observations = saved["observations"]
            buffer = cls(
                int(saved["capacity"]),
                observations.shape[1:],
                observations.dtype,
                num_envs=int(saved["num_envs"]),
                n_step=int(saved["n_step"]),
                gamma=float(saved["gamma"]),
            )
            buffer.count, buffer.position = len(observations), int(saved["position"])
            for name in FIELDS:
                getattr(buffer, name)[: buffer.count] = saved[name]
            buffer.rng.bit_generator.state = json.loads(str(saved["rng_state"]))
        return buffer
