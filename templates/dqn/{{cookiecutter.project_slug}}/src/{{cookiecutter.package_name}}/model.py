"""The networks of this project from its config: the online Q-network, its target copy and their learner.

The network itself is in `q_network.py` (an MLP for vector observations, the Nature-DQN CNN for pixels,
a dueling head as a switch); the update rule in `learner.py`.
"""

import keras

from .data import env_spec
from .learner import Learner
from .q_network import build_q_network
from .runtime.errors import UserError
from .runtime.optimizers import make_optimizer
from .runtime.rundir import trained_model


def q_network(config, spec, name="q_network"):
    try:
        return build_q_network(
            spec.observation_shape,
            spec.action_count,
            kind=config.network.kind,
            hidden_units=tuple(config.network.hidden_units),
            dueling=config.network.dueling,
            channels_first=spec.channels_first,
            name=name,
        )
    except ValueError as error:  # a cnn asked for vector observations
        raise UserError(f"network.kind {config.network.kind} does not fit {config.env.id}: {error}; use auto") from None


def build_learner(config, spec, jit_compile=False):
{%- if cookiecutter.engine == "tf-agents" %}
    """tf-agents' DQN agent on the configured network, and that network's Keras 3 twin `online` (see learner.py)."""
{%- else %}
    """Online and target networks with the same starting weights, the optimizer, and the update rule."""
{%- endif %}
    online = q_network(config, spec)
    optimizer = make_optimizer(config.train.optimizer, config.train.learning_rate, config.train.clip_norm)
    agent = config.agent
    options = {
        "double": agent.double,
        "huber_delta": agent.huber_delta,
        "target_update": agent.target_update,
        "target_update_interval": agent.target_update_interval,
        "tau": agent.tau,
        "jit_compile": jit_compile,
    }
{%- if cookiecutter.engine == "tf-agents" %}
    return Learner(online, optimizer, **options)  # the agent makes its target network itself
{%- else %}
    target = q_network(config, spec, name="target_network")
    target.set_weights(online.get_weights())
    return Learner(online, target, optimizer, **options)
{%- endif %}


def example_model(config, actions):
    """The configured network for the configured environment (`summary`); `actions` 0: the environment's."""
    spec = env_spec(config.env)
    if actions:
        spec.action_count = actions
    return q_network(config, spec)


def load_network(path):
    """A saved Q-network, in Keras' safe mode; importing q_network above registered the dueling head."""
    return keras.saving.load_model(path, safe_mode=True)


def load_run_network(run):
    """The run's trained Q-network, `model.keras`."""
    return load_network(trained_model(run))
