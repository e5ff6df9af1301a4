"""The DQN learner: epsilon-greedy acting, and one gradient step of Q-learning on a batch of replayed transitions.

Q-learning regresses the Q of the action taken towards the reward plus the discounted value of what follows,
`target = returns + discounts * Q_target(next, a*)` (the discount is 0 where the episode ended: nothing follows).
Two things keep this regression from chasing its own tail (Mnih et al. 2015):
- replay: batches drawn from many past steps, not the last few, which are all alike (`datasets/replay.py`);
- a target network: a copy of the online network, held still between copies ("hard", every
  `target_update_interval` updates) or trailing it slowly ("polyak": target <- tau online + (1 - tau) target),
  so the target does not move with every step taken towards it.
The max over next actions overestimates (the max of noisy estimates is biased upwards); Double DQN (van Hasselt
et al. 2016) lets the online network choose a* and the target network value it. The Huber loss is quadratic
for small TD errors and linear for large ones, so one surprising transition cannot blow up the gradient.

    learner = Learner(online, target, keras.optimizers.Adam(1e-3, global_clipnorm=10.0))
    actions = learner.act(observations, linear_epsilon(step, 1.0, 0.05, 10_000), rng)
    loss, mean_q = learner.update(buffer.sample(64))

The step, the target update and the forward pass are each traced once by `tf.function`: run eagerly, every op
is dispatched from Python, which made an update of CartPole's small network some 20 times slower on a CPU.
`state()` holds every variable (both networks and the optimizer's slots) as numpy arrays, so a run resumes in a
fresh process exactly where it stopped.
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops


def linear_epsilon(step, start, end, decay_steps):
    """The share of random actions at environment step `step`: `start` -> `end` over `decay_steps`, then `end`."""
    if decay_steps <= 0:
        return end
    return start + (end - start) * min(step / decay_steps, 1.0)


def q_learning_targets(returns, discounts, next_q_target, next_q_online=None):
    """`returns + discounts * Q_target(next, a*)`: a* the target network's own argmax, or with `next_q_online`
    (Double DQN) the online network's."""
    chooser = next_q_target if next_q_online is None else next_q_online
    best = ops.expand_dims(ops.argmax(chooser, axis=-1), -1)
    return returns + discounts * ops.take_along_axis(next_q_target, best, axis=-1)[:, 0]


class Learner:
    """An online Q-network learning from replay, a target network trailing it, and the optimizer that moves it.

    `target` starts as a copy of `online` (e.g. `keras.models.clone_model` plus `set_weights`). Gradient clipping
    is the optimizer's own `global_clipnorm`. Under mixed_float16 the optimizer is wrapped in a LossScaleOptimizer.
    """

    def __init__(self, online, target, optimizer, double=True, huber_delta=1.0, target_update="hard",
                 target_update_interval=1000, tau=1.0, jit_compile=False):
        if target_update not in ("hard", "polyak"):
            raise ValueError(f"target_update {target_update!r} is not one of hard, polyak")
        scaled = isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
        if online.dtype_policy.name == "mixed_float16" and not scaled:
            # As `Model.compile` does: float16 gradients underflow to zero unless the loss is scaled up first.
            optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
        self.online, self.target, self.optimizer = online, target, optimizer
        self.double, self.target_update, self.target_update_interval, self.tau = (double, target_update,
                                                                                 target_update_interval, tau)
        self.loss = keras.losses.Huber(delta=huber_delta)
        self.action_count = int(online.outputs[0].shape[-1])
        self.updates = 0
        if not optimizer.built:  # its slots exist from the start, so `state()` holds them before the first update
            optimizer.build(online.trainable_variables)
        observations = online.inputs[0]
        self.observation_spec = tf.TensorSpec((None, *observations.shape[1:]), observations.dtype)
        self.batch_spec = {"observations": self.observation_spec, "actions": tf.TensorSpec((None,), "int32"),
                           "returns": tf.TensorSpec((None,), "float32"), "next_observations": self.observation_spec,
                           "discounts": tf.TensorSpec((None,), "float32")}
        # Signatures with a free batch dimension: one trace serves every batch size.
        self._train_step = tf.function(self._step, input_signature=[self.batch_spec], jit_compile=jit_compile)
        self._move_target = tf.function(self._blend_target, jit_compile=jit_compile)
        rounds_spec = {name: tf.TensorSpec((None, *spec.shape), spec.dtype) for name, spec in self.batch_spec.items()}
        self._train_round = tf.function(self._round, input_signature=[rounds_spec, tf.TensorSpec((), "int64")],
                                        jit_compile=jit_compile)
        # XLA compiles once per batch size, and there are few: the parallel environments', the probe states'.
        # It halved the time of acting on one CartPole observation (380 -> 205 us).
        self._forward = tf.function(self._q_values, input_signature=[self.observation_spec], jit_compile=jit_compile)

    def _step(self, batch):
        with tf.GradientTape() as tape:
            next_q = self.target(batch["next_observations"], training=False)
            next_q_online = self.online(batch["next_observations"], training=False) if self.double else None
            # The target is a label, not a prediction: no gradient moves it, even where it comes from `online`.
            targets = ops.stop_gradient(q_learning_targets(batch["returns"], batch["discounts"], next_q,
                                                           next_q_online))
            q_values = self.online(batch["observations"], training=True)
            taken = ops.take_along_axis(q_values, ops.expand_dims(batch["actions"], -1), axis=-1)[:, 0]
            loss = self.loss(targets, taken)
            # The identity, except under the LossScaleOptimizer, whose `apply` unscales the gradients.
            scaled_loss = self.optimizer.scale_loss(loss)
        variables = self.online.trainable_variables
        gradients = tape.gradient(scaled_loss, variables)
        self.optimizer.apply(gradients, variables)
        return loss, ops.mean(taken)

    def _round(self, batches, updates_before):
        """One `_step` per leading row of `batches`, with the target updates due among them, in one graph."""
        count = tf.shape(batches["actions"])[0]
        losses, values = tf.TensorArray("float32", size=count), tf.TensorArray("float32", size=count)
        for index in tf.range(count):
            loss, value = self._step({name: tensor[index] for name, tensor in batches.items()})
            if self.target_update == "polyak":
                self._blend_target()
            elif (updates_before + ops.cast(index, "int64") + 1) % self.target_update_interval == 0:
                self._blend_target()
            losses, values = losses.write(index, ops.cast(loss, "float32")), values.write(index, value)
        return losses.stack(), values.stack()

    def _blend_target(self):
        tau = self.tau if self.target_update == "polyak" else 1.0
        for target, online in zip(self.target.weights, self.online.weights, strict=True):
            target.assign(online if tau == 1.0 else tau * online + (1.0 - tau) * target)

    def _q_values(self, observations):
        return ops.cast(self.online(observations, training=False), "float32")

    def update(self, batch):
        """One gradient step on a batch of `ReplayBuffer.sample`, then the target update: `(loss, mean Q of the
        actions taken)`, as floats."""
        batch = {name: np.asarray(batch[name], spec.dtype.as_numpy_dtype) for name, spec in self.batch_spec.items()}
        loss, mean_q = self._train_step(batch)
        self.updates += 1
        if self.target_update == "polyak" or self.updates % self.target_update_interval == 0:
            self._move_target()
        return float(loss), float(mean_q)

    def update_round(self, batch, steps):
        """`steps` updates in one call, on `steps` consecutive batches of a `ReplayBuffer.sample(steps * batch_size)`,
        each followed by its target update, exactly as `steps` calls of `update`: `(mean loss, mean Q)`.

        One call instead of `steps`: the Python and dispatch overhead of a call weighs more than the arithmetic of
        a small network's update."""
        batches = {name: np.asarray(batch[name], spec.dtype.as_numpy_dtype).reshape(steps, -1, *spec.shape[1:])
                   for name, spec in self.batch_spec.items()}
        losses, values = self._train_round(batches, np.int64(self.updates))
        self.updates += steps
        return float(np.mean(losses)), float(np.mean(values))

    def q_values(self, observations):
        """Q-values `[batch, actions]` (float32) of the online network."""
        return self._forward(np.asarray(observations, self.observation_spec.dtype.as_numpy_dtype)).numpy()

    def act(self, observations, epsilon, rng):
        """Epsilon-greedy actions for a batch: each row random with probability `epsilon`, else the argmax of Q.

        `rng` (a numpy Generator) draws, in this order, whether each row explores, then a uniform action for each
        row, whatever `epsilon` is, so a seeded run draws the same numbers however its epsilon schedule goes.
        """
        count = len(observations)
        explore = rng.random(count) < epsilon
        actions = rng.integers(0, self.action_count, count)
        if not explore.all():  # a network call only when some row is greedy
            actions = np.where(explore, actions, self.q_values(observations).argmax(axis=-1))
        return actions

    def _variables(self):
        """Every variable to save, by a name that depends only on the architecture: group and position."""
        groups = {"online": self.online.weights, "target": self.target.weights, "optimizer": self.optimizer.variables}
        return {f"{group}/{index:03d}": variable for group, variables in groups.items()
                for index, variable in enumerate(variables)}

    def state(self):
        """Both networks, the optimizer (iterations, learning rate, slots) and `updates`, as numpy arrays."""
        state = {name: variable.numpy() for name, variable in self._variables().items()}
        return {**state, "updates": np.array(self.updates, np.int64)}

    def load_state(self, state):
        """Restores what `state()` returned, into a learner built in the same shapes."""
        variables = self._variables()
        unmatched = sorted(set(variables) ^ (set(state) - {"updates"}))
        wrong_shape = [name for name, variable in variables.items()
                       if name in state and state[name].shape != tuple(variable.shape)]
        if unmatched or wrong_shape:
            raise ValueError(f"the saved learner state does not fit this network and optimizer: "
                             f"{(unmatched + wrong_shape)[:5]} differ (was the network or optimizer changed?)")
        for name, variable in variables.items():
            variable.assign(state[name])
        self.updates = int(state["updates"])
