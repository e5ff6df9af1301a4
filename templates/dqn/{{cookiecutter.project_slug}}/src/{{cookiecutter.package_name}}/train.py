"""Training, read top to bottom: environment, run folder, learner, replay, then epochs of play and learning,
each followed by a greedy evaluation and a checkpoint; at the end the best epoch's network is scored.

DQN's returns rise and fall: a network that balanced the pole for 500 steps may drop it after the
next thousand updates. So every epoch is evaluated greedily, the best epoch's network is the one kept
(`checkpoints/best.keras`, then `model.keras`), and a fall from the best is reported as it happens.
"""

import time

import numpy as np
import tensorflow as tf
from PIL import Image

from . import data, evaluate, model, play, resume
from .agent import Agent
from .callbacks.checkpoint import BestModelCheckpoint
from .callbacks.episodes import returns_image
from .callbacks.history import append_row, keep_epochs_before
from .callbacks.tensorboard import ScalarWriter
from .datasets.replay import ReplayBuffer
from .runtime import training
from .runtime.files import atomic_path, write_json

EPOCH_SEED = 1_000  # each epoch's evaluation replays the same seeds, so epochs compare like for like
FORGETTING = 0.5  # a greedy return that falls this share of the best's size below it is reported


def new_replay(config, spec):
    agent = config.agent
    return ReplayBuffer(agent.buffer_size, spec.observation_shape, spec.observation_dtype,
                        num_envs=config.env.num_envs, n_step=agent.n_step, gamma=agent.gamma, seed=config.train.seed)


def train(config):
    spec = data.env_spec(config.env)
    probe = data.probe_states(config, spec, seed=config.train.seed)
    solved = evaluate.solved_return(config.train, spec)
    run, resumed, setup, config_dict = training.begin(config)

    with one_device(setup.strategy).scope():
        learner = model.build_learner(config, spec, setup.jit_compile)
    rng = np.random.default_rng(config.train.seed)
    progress, replay = resume.restore(run.checkpoints, learner, rng) or (resume.Progress(), new_replay(config, spec))
    board = ScalarWriter(run.logs / "train")
    envs = data.make_envs(config.env, config.env.num_envs)
    agent = Agent(envs, learner, replay, config.agent, progress, rng, config.train.seed + progress.epochs_done, board)
    best = BestModelCheckpoint(run.checkpoints / "best.keras", monitor="eval_return", mode="max")
    best.set_model(learner.online)
    act = play.policy(learner.online, spec.action_count, config.evaluate.epsilon, seed=config.train.seed)
    keep_epochs_before(run.history, progress.epochs_done)

    print(f"{'resuming' if resumed else 'starting'} run {run.path} at epoch {progress.epochs_done + 1}: "
          f"{config.env.id} x {config.env.num_envs}, observations {spec.observation_shape} {spec.observation_dtype}, "
          f"{spec.action_count} actions, {learner.online.count_params():,} parameters, "
          f"{config.train.epochs} epochs of {config.train.steps_per_epoch} steps, {setup.precision}", flush=True)
    for epoch in range(progress.epochs_done, config.train.epochs):
        if progress.stopped:
            break
        print(f"epoch {epoch + 1}/{config.train.epochs}", flush=True)
        started = time.perf_counter()
        played = agent.run_epoch(config.train.steps_per_epoch)
        returns, _ = play.play_episodes(act, config.env, config.train.eval_episodes, EPOCH_SEED)
        progress.seconds += time.perf_counter() - started
        row = {"epoch": epoch, "env_steps": progress.env_steps, "episodes": progress.episodes,
               "seconds": round(progress.seconds, 2),
               "eval_return": float(np.mean(returns)), "eval_return_std": float(np.std(returns)), **played,
               "probe_max_q": float(learner.q_values(probe).max(axis=1).mean()), "epsilon": agent.epsilon()}
        progress.evaluation_steps.append(progress.env_steps)
        progress.evaluation_returns.append(row["eval_return"])
        log_epoch(board, run, row, progress, solved)
        append_row(run.history, row)  # before the checkpoint: a row whose checkpoint never landed is dropped
        best.on_epoch_end(epoch, row)
        progress.epochs_done = epoch + 1
        progress.stopped = should_stop(row, progress, config.train, solved)
        resume.save(run.checkpoints, progress, learner, replay, rng)
    envs.close()

    final = keep_best(run, learner)
    metrics = evaluate.evaluate_model(final, config, run, spec)
    metrics["env_steps"] = progress.env_steps
    training.finish(run, config_dict, metrics)
    write_json(run.metrics, metrics)  # metrics.json last: marks the run finished
    print(f"finished run {run.path}: {evaluate.report(metrics)}", flush=True)
    return run, metrics


def one_device(strategy):
    """DQN updates on batches of 32-64 transitions: spread over several GPUs, they would only wait on each other."""
    if strategy.num_replicas_in_sync == 1:
        return strategy
    print(f"note: training on one of {strategy.num_replicas_in_sync} GPUs; a DQN's small batches gain nothing "
          f"from more", flush=True)
    return tf.distribute.OneDeviceStrategy(strategy.extended.worker_devices[0])


def log_epoch(board, run, row, progress, solved):
    """The epoch's scalars and the returns chart to TensorBoard (and `returns.png`), and one line to read."""
    board.scalars({"eval/mean_return": row["eval_return"], "eval/probe_max_q": row["probe_max_q"],
                   "train/steps_per_second": row["steps_per_second"]}, progress.env_steps)
    chart = returns_image(progress.episode_steps, progress.episode_returns, progress.evaluation_steps,
                          progress.evaluation_returns, target=solved)
    board.image("returns", chart, step=row["epoch"])
    board.flush()
    with atomic_path(run.file("returns.png")) as temporary:
        Image.fromarray(chart).save(temporary, format="PNG")
    top = int(np.argmax(progress.evaluation_returns))
    best = progress.evaluation_returns[top]
    print(f"  greedy return {row['eval_return']:.1f} +- {row['eval_return_std']:.1f} (best {best:.1f} at epoch "
          f"{top + 1}), training episodes {row['train_return']:.1f}, loss {row['loss']:.4f}, probe max Q "
          f"{row['probe_max_q']:.2f}, epsilon {row['epsilon']:.3f}, {row['steps_per_second']:.0f} steps/s", flush=True)
    returns = progress.evaluation_returns
    if has_fallen(returns) and not (len(returns) > 1 and has_fallen(returns[:-1])):  # said once per fall
        print(f"  note: the greedy return fell to {row['eval_return']:.1f} from {best:.1f} at epoch {top + 1}; "
              f"DQN forgets like this, and the best epoch's network is the one kept", flush=True)


def has_fallen(returns):
    """Whether the last greedy return lies more than FORGETTING of the best's size below the best so far."""
    best = max(returns)
    return best - returns[-1] > FORGETTING * abs(best)


def should_stop(row, progress, train_config, solved):
    """Solved (with `train.stop_when_solved`), or no better greedy return for `train.early_stopping_patience`
    epochs."""
    if solved is not None and train_config.stop_when_solved and row["eval_return"] >= solved:
        print(f"  solved: greedy return {row['eval_return']:.1f} >= {solved:g} after {progress.env_steps} "
              f"environment steps", flush=True)
        return True
    patience = train_config.early_stopping_patience
    since_best = len(progress.evaluation_returns) - 1 - int(np.argmax(progress.evaluation_returns))
    if patience and since_best >= patience:
        print(f"  stopping: no better greedy return for {since_best} epochs", flush=True)
        return True
    return False


def keep_best(run, learner):
    """The best epoch's network (or the last, if none was saved) as the run's `model.keras`."""
    best = run.checkpoints / "best.keras"
    final = model.load_network(best) if best.is_file() else learner.online
    with atomic_path(run.file("model.keras")) as temporary:
        final.save(temporary)
    return final
