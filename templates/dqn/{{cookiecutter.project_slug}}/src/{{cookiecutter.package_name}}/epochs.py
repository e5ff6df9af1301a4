"""The epochs of a DQN run, its own loop instead of Keras `fit`. Each epoch:

    play and learn for `train.steps_per_epoch` environment steps (`agent.py`) -> greedy episodes on the same
    seeds every epoch -> scalars, the returns chart and one line to read -> a row of `history.csv` -> the
    best network so far (`checkpoints/best.keras`) -> a checkpoint to resume from (`resume.py`)

The loop ends after `train.epochs` epochs, once an epoch's greedy return reaches the solved return (with
`train.stop_when_solved`), or after `train.early_stopping_patience` epochs without a better one.
"""

import time

import numpy as np
import tensorflow as tf
from PIL import Image

from . import data, play, resume
from .agent import Agent
from .callbacks.checkpoint import BestModelCheckpoint
from .callbacks.history import append_row, keep_epochs_before
from .callbacks.tensorboard import ScalarWriter, write_graph
from .episodes import returns_image
from .runtime.files import atomic_path

EPOCH_SEED = 1_000  # each epoch's evaluation replays the same seeds, so epochs compare like for like
FORGETTING = 0.5  # a greedy return that falls this share of the best's size below it is reported


def train_epochs(config, environment, run, learner, replay, progress, rng):
    """Runs the epochs after `progress.epochs_done` (0, or those of the checkpoint the run resumed from), each
    ending in a checkpoint of `progress`, `learner`, `replay` and `rng`."""
    board = ScalarWriter(run.logs)
    if progress.epochs_done == 0:  # the Q-network's graph, once per run
        observations = learner.online.inputs[0]
        write_graph(run.logs, learner.online, tf.TensorSpec(observations.shape, observations.dtype))
    envs = data.make_envs(config.env, config.env.num_envs)
    agent = Agent(envs, learner, replay, config.agent, progress, rng, config.train.seed + progress.epochs_done, board)
    best = BestModelCheckpoint(run.checkpoints / "best.keras", monitor="eval_return", mode="max")
    best.set_model(learner.online)
    act = play.policy(learner.online, environment.spec.action_count, config.evaluate.epsilon, seed=config.train.seed)
    keep_epochs_before(run.history, progress.epochs_done)
    for epoch in range(progress.epochs_done, config.train.epochs):
        if progress.stopped:
            break
        print(f"epoch {epoch + 1}/{config.train.epochs}", flush=True)
        started = time.perf_counter()
        played = agent.run_epoch(config.train.steps_per_epoch)
        returns, _ = play.play_episodes(act, config.env, config.train.eval_episodes, EPOCH_SEED)
        progress.seconds += time.perf_counter() - started
        row = {
            "epoch": epoch,
            "env_steps": progress.env_steps,
            "episodes": progress.episodes,
            "seconds": round(progress.seconds, 2),
            "eval_return": float(np.mean(returns)),
            "eval_return_std": float(np.std(returns)),
            **played,
            "probe_max_q": float(learner.q_values(environment.probe_states).max(axis=1).mean()),
            "epsilon": agent.epsilon(),
        }
        progress.evaluation_steps.append(progress.env_steps)
        progress.evaluation_returns.append(row["eval_return"])
        log_epoch(board, run, row, progress, environment.solved_return)
        append_row(run.history, row)  # before the checkpoint: a row whose checkpoint never landed is dropped
        best.on_epoch_end(epoch, row)
        progress.epochs_done = epoch + 1
        progress.stopped = should_stop(row, progress, config.train, environment.solved_return)
        resume.save(run.checkpoints, progress, learner, replay, rng)
    envs.close()


def log_epoch(board, run, row, progress, solved):
    """The epoch's scalars and the returns chart to TensorBoard (and `returns.png`), and one line to read."""
    board.scalars(
        {
            "eval/mean_return": row["eval_return"],
            "eval/probe_max_q": row["probe_max_q"],
            "train/steps_per_second": row["steps_per_second"],
        },
        progress.env_steps,
    )
    chart = returns_image(
        progress.episode_steps,
        progress.episode_returns,
        progress.evaluation_steps,
        progress.evaluation_returns,
        target=solved,
    )
    board.image("returns", chart, step=row["epoch"])
    board.flush()
    with atomic_path(run.file("returns.png")) as temporary:
        Image.fromarray(chart).save(temporary, format="PNG")
    top = int(np.argmax(progress.evaluation_returns))
    best = progress.evaluation_returns[top]
    print(
        f"  greedy return {row['eval_return']:.1f} +- {row['eval_return_std']:.1f} (best {best:.1f} at epoch "
        f"{top + 1}), training episodes {row['train_return']:.1f}, loss {row['loss']:.4f}, probe max Q "
        f"{row['probe_max_q']:.2f}, epsilon {row['epsilon']:.3f}, {row['steps_per_second']:.0f} steps/s",
        flush=True,
    )
    returns = progress.evaluation_returns
    if has_fallen(returns) and not (len(returns) > 1 and has_fallen(returns[:-1])):  # said once per fall
        print(
            f"  note: the greedy return fell to {row['eval_return']:.1f} from {best:.1f} at epoch {top + 1}; "
            f"DQN forgets like this, and the best epoch's network is the one kept",
            flush=True,
        )


def has_fallen(returns):
    """Whether the last greedy return lies more than FORGETTING of the best's size below the best so far."""
    best = max(returns)
    return best - returns[-1] > FORGETTING * abs(best)


def should_stop(row, progress, train_config, solved):
    """Solved (with `train.stop_when_solved`), or no greedy return better by more than `train.min_delta` for
    `train.early_stopping_patience` epochs, the first `train.early_stopping_start` epochs left out."""
    if solved is not None and train_config.stop_when_solved and row["eval_return"] >= solved:
        print(
            f"  solved: greedy return {row['eval_return']:.1f} >= {solved:g} after {progress.env_steps} "
            f"environment steps",
            flush=True,
        )
        return True
    patience = train_config.early_stopping_patience
    returns = progress.evaluation_returns[train_config.early_stopping_start :]  # none left: since_best -1, no stop
    best, best_epoch = -np.inf, 0
    for epoch, value in enumerate(returns):
        if value > best + train_config.min_delta:
            best, best_epoch = value, epoch
    since_best = len(returns) - 1 - best_epoch
    if patience and since_best >= patience:
        print(f"  stopping: no better greedy return for {since_best} epochs", flush=True)
        return True
    return False
