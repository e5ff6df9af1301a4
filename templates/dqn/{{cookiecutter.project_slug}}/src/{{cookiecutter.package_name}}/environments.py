"""Gymnasium environments by id: the "dataset" of reinforcement learning, checked before training starts.

An id that is not registered, an Atari id without ale-py, or an environment whose actions are not a
finite set (DQN picks one of N actions) each stop with one message that names the config key, the
close registered ids and the fix, instead of a traceback from deep inside gymnasium.

    check_environment("CartPole-v1")   # registered, discrete actions: returns
    check_environment("cartpole-v1")   # UserError: env.id cartpole-v1 is not registered; did you mean CartPole-v1?
"""

import difflib

from .runtime.errors import UserError

ATARI_NAMESPACE = "ALE/"
SUGGESTIONS = 5


def register_atari():
    """Registers the `ALE/...` environments if ale-py is installed (its wheel carries the ROMs); whether it is."""
    import gymnasium

    try:
        import ale_py
    except ImportError:
        return False
    gymnasium.register_envs(ale_py)
    return True


def close_ids(env_id, registered):
    """Registered ids that look like `env_id`, the same id in another case first."""
    same_but_case = [name for name in registered if name.lower() == env_id.lower()]
    similar = difflib.get_close_matches(env_id, registered, n=SUGGESTIONS, cutoff=0.6)
    return list(dict.fromkeys(same_but_case + similar))[:SUGGESTIONS]


def check_environment(env_id):
    """Checks that `env_id` is registered and has discrete actions; if not, a `UserError` naming `env.id`."""
    import gymnasium

    if env_id.startswith(ATARI_NAMESPACE) and not register_atari():
        raise UserError(
            f"env.id {env_id} is an Atari game: install ale-py (pip install ale-py; its wheel carries the game ROMs)"
        )
    registered = list(gymnasium.envs.registry)
    if env_id not in registered:
        close = close_ids(env_id, registered)
        hint = (
            f"did you mean {', '.join(close)}?"
            if close
            else "list them with python -c 'import gymnasium; gymnasium.pprint_registry()'"
        )
        raise UserError(f"env.id {env_id} is not a registered gymnasium environment; {hint}")
    environment = gymnasium.make(env_id)
    try:
        if not isinstance(environment.action_space, gymnasium.spaces.Discrete):
            raise UserError(
                f"env.id {env_id} has {type(environment.action_space).__name__} actions; DQN chooses one "
                f"of a finite set (Discrete): try CartPole-v1, Acrobot-v1, MountainCar-v0 or an ALE/ game"
            )
    finally:
        environment.close()
