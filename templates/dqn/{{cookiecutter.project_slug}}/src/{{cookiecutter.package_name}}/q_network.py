"""The Q-network: an observation in, one number per action out, the return the agent expects from taking it.

Acting greedily is an argmax over these numbers; learning moves the one of the action taken towards
`reward + discount * Q_target(next observation)` (see `learner.py`). Two torsos feed the same head:
- an MLP for vector observations (CartPole's cart position, velocity, pole angle and angular velocity);
- the Nature-DQN CNN (Mnih et al. 2015) for pixels: stacked grey frames, so that the network sees motion,
  through three convolutions and a 512-unit layer. It takes the raw uint8 frames and scales them to [0, 1]
  itself, so the exported model takes exactly what the environment gives.

The head is one linear output per action, or, dueling (Wang et al. 2016), a value stream V(s) and an
advantage stream A(s, a) combined as Q = V + A - mean(A): every update then moves V, shared by all
actions, instead of only the Q of the action taken.

    model = build_q_network((4,), action_count=2, hidden_units=(64, 64))
    q_values = model(observations)  # [batch, 2], float32
    model = build_q_network((4, 84, 84), action_count=6, dueling=True, channels_first=True)  # Atari frames
"""

import keras
from keras import layers, ops

SERIALIZATION_PACKAGE = "dqn"  # a saved network names its head "dqn>DuelingHead"; loading finds the class by it


@keras.saving.register_keras_serializable(package=SERIALIZATION_PACKAGE)
class DuelingHead(layers.Layer):
    """Features -> Q-values `[batch, action_count]` as V + A - mean(A), from two linear streams.

    V and A alone are not identifiable (any constant moves between them with the same Q); subtracting the
    mean advantage pins A to average zero, so V is the state's value. Wang et al. give each stream its own
    512-unit layer; here both read the torso's last layer, which keeps the network the size of the plain one.

    >>> head = DuelingHead(3)
    >>> q_values = head(keras.ops.ones((2, 8)))
    >>> q_values.shape
    (2, 3)
    """

    def __init__(self, action_count, **kwargs):
        super().__init__(**kwargs)
        self.action_count = action_count
        # The streams compute in the head's own dtype: float32 Q-values even under mixed precision.
        self.value = layers.Dense(1, dtype=self.dtype_policy, name="value")
        self.advantage = layers.Dense(action_count, dtype=self.dtype_policy, name="advantage")

    def build(self, input_shape):
        self.value.build(input_shape)
        self.advantage.build(input_shape)

    def call(self, features):
        advantage = self.advantage(features)
        return self.value(features) + advantage - ops.mean(advantage, axis=-1, keepdims=True)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.action_count)

    def get_config(self):
        return {**super().get_config(), "action_count": self.action_count}


def nature_cnn(frames, channels_first=False):
    """uint8 frames `[batch, H, W, stack]` (or `[batch, stack, H, W]`) -> the 512 features of Mnih et al. 2015."""
    if channels_first:  # gymnasium's FrameStackObservation stacks in front; TensorFlow's CPU convolutions want it last
        frames = layers.Permute((2, 3, 1), name="channels_last")(frames)
    x = layers.Rescaling(1.0 / 255.0, name="scale_pixels")(frames)
    for index, (filters, size, stride) in enumerate([(32, 8, 4), (64, 4, 2), (64, 3, 1)], start=1):
        x = layers.Conv2D(filters, size, strides=stride, activation="relu", name=f"conv_{index}")(x)
    return layers.Dense(512, activation="relu", name="hidden")(layers.Flatten(name="flatten")(x))


def mlp(observations, hidden_units):
    x = observations
    for index, units in enumerate(hidden_units, start=1):
        x = layers.Dense(units, activation="relu", name=f"hidden_{index}")(x)
    return x


def build_q_network(
    observation_shape,
    action_count,
    kind="auto",
    hidden_units=(256, 256),
    dueling=False,
    channels_first=False,
    name="q_network",
):
    """The Q-network for observations of `observation_shape` (no batch dimension) and `action_count` actions.

    `kind`: "mlp", "cnn" (uint8 pixels, 3-D observations), or "auto", which picks by the observation's rank.
    Every layer has a fixed name, so the weights of two networks built alike line up by name.
    """
    if kind == "auto":
        kind = "cnn" if len(observation_shape) == 3 else "mlp"
    if kind not in ("mlp", "cnn"):
        raise ValueError(f"network kind {kind!r} is not one of auto, mlp, cnn")
    if kind == "cnn" and len(observation_shape) != 3:
        raise ValueError(f"the cnn takes stacked frames (3 dimensions), got observations of shape {observation_shape}")
    observations = keras.Input(
        tuple(observation_shape), dtype="uint8" if kind == "cnn" else "float32", name="observations"
    )
    features = nature_cnn(observations, channels_first) if kind == "cnn" else mlp(observations, hidden_units)
    head = (
        DuelingHead(action_count, dtype="float32", name="q_values")
        if dueling
        else layers.Dense(action_count, dtype="float32", name="q_values")
    )
    return keras.Model(observations, head(features), name=name)
