"""Training, read top to bottom: the learner, its replay buffer (or the killed run's, restored), epochs of play
and learning, each followed by a greedy evaluation and a checkpoint (`epochs.py`), then the best epoch's network
scored on held-out episodes (`scoring.py`).

DQN's returns rise and fall: a network that balanced the pole for 500 steps may drop it after the
next thousand updates. So every epoch is evaluated greedily, the best epoch's network is the one kept
(`checkpoints/best.keras`, then `model.keras`), and a fall from the best is reported as it happens.
The environment and the probe states were checked before the run folder existed (`data.read_environment`);
the run folder, resuming it, HParams and `metrics.json` are the shared runner's (`runtime/training.py`).
"""

import numpy as np
import tensorflow as tf

from . import model, resume, scoring
from .epochs import train_epochs
from .replay import ReplayBuffer
from .runtime.files import atomic_path


def train(config, environment, session):
    spec, run = environment.spec, session.run
    with one_device(session.setup.strategy).scope():
        learner = model.build_learner(config, spec, session.setup.jit_compile)
    rng = np.random.default_rng(config.train.seed)
    progress, replay = resume.restore(run.checkpoints, learner, rng) or (resume.Progress(), new_replay(config, spec))
    session.announce(
        f"{config.env.id} x {config.env.num_envs}, observations {spec.observation_shape} "
        f"{spec.observation_dtype}, {spec.action_count} actions, {learner.online.count_params():,} "
        f"parameters, {config.train.epochs} epochs of {config.train.steps_per_epoch} steps, "
        f"{session.setup.precision}"
    )
    train_epochs(config, environment, run, learner, replay, progress, rng)
    final = keep_best(run, learner)
    metrics = {**scoring.evaluate_model(final, config, run, spec), "env_steps": progress.env_steps}
    print(f"finished run {run.path}: {scoring.report(metrics)}", flush=True)
    return metrics


def one_device(strategy):
    """DQN updates on batches of 32-64 transitions: spread over several GPUs, they would only wait on each other."""
    if strategy.num_replicas_in_sync == 1:
        return strategy
    print(
        f"note: training on one of {strategy.num_replicas_in_sync} GPUs; a DQN's small batches gain nothing from more",
        flush=True,
    )
    return tf.distribute.OneDeviceStrategy(strategy.extended.worker_devices[0])


def new_replay(config, spec):
    agent = config.agent
    return ReplayBuffer(
        agent.buffer_size,
        spec.observation_shape,
        spec.observation_dtype,
        num_envs=config.env.num_envs,
        n_step=agent.n_step,
        gamma=agent.gamma,
        seed=config.train.seed,
    )


def keep_best(run, learner):
    """The best epoch's network (or the last, if none was saved) as the run's `model.keras`."""
    best = run.checkpoints / "best.keras"
    final = model.load_network(best) if best.is_file() else learner.online
    with atomic_path(run.file("model.keras")) as temporary:
        final.save(temporary)
    return final
