"""The metric of reinforcement learning: the mean return of greedy episodes, and episodes to watch.

The episodes start from seeds that training's own evaluations after each epoch never use, so the epoch
kept as best was not chosen on these very episodes. Training scores its best network with them when it
ends, and `evaluate` the run's network: `evaluation.csv` (each episode's return and length) and GIFs of
`evaluate.gif_episodes` episodes in the run folder, the first also as a grid of frames in TensorBoard.
"""

import csv

import numpy as np
from PIL import Image, ImageOps

from . import play
from .callbacks.tensorboard import ScalarWriter, image_grid
from .data import solved_return
from .episodes import write_gif
from .runtime.files import atomic_path

HELD_OUT_SEED = 1_000_003  # evaluation episodes start from seeds training never plays from
GRID_FRAMES, GRID_COLUMNS = 6, 2  # frames of a recorded episode in TensorBoard, read row by row
FRAME_SIZE = 240  # pixels a frame's longer side is shrunk to: two fit TensorBoard's image cards (335-735 px)


def score(returns, lengths, solved):
    metrics = {
        "mean_return": float(np.mean(returns)),
        "std_return": float(np.std(returns)),
        "min_return": float(np.min(returns)),
        "max_return": float(np.max(returns)),
        "mean_length": float(np.mean(lengths)),
        "episodes": len(returns),
    }
    if solved is not None:
        metrics["solved"] = float(metrics["mean_return"] >= solved)
    return metrics


def record_gifs(act, config, folder, count, seed, board):
    """`count` episodes as GIFs in `folder`; the first also as a grid of frames in TensorBoard."""
    written = []
    for index in range(count):
        frames, total, length = play.record_episode(act, config.env, seed + index)
        path = folder / f"episode_{index}.gif"
        write_gif(frames, path, fps=config.evaluate.fps)
        written.append((path, total, length))
        if index == 0:
            board.image("episode/frames", frame_grid(frames), step=0)
    return written


def frame_grid(frames):
    """`GRID_FRAMES` frames spread over an episode, each shrunk to at most `FRAME_SIZE` pixels and framed in grey
    (the frames of many games are white at the edges), `GRID_COLUMNS` to a row."""
    shown = []
    for pick in np.linspace(0, len(frames) - 1, min(GRID_FRAMES, len(frames))).astype(int):
        frame = Image.fromarray(frames[pick])
        frame.thumbnail((FRAME_SIZE, FRAME_SIZE))
        shown.append(np.asarray(ImageOps.expand(frame, border=2, fill=(128, 128, 128))))
    return image_grid(shown, columns=GRID_COLUMNS)


def evaluate_model(model, config, run, spec):
    """Plays the held-out episodes, writes `evaluation.csv` and the GIFs; returns the metrics."""
    act = play.policy(model, spec.action_count, config.evaluate.epsilon, seed=config.train.seed)
    print(f"evaluating: {config.evaluate.episodes} episodes of {config.env.id}", flush=True)
    returns, lengths = play.play_episodes(act, config.env, config.evaluate.episodes, HELD_OUT_SEED, progress=True)
    with atomic_path(run.file("evaluation.csv")) as temporary, open(temporary, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["episode", "return", "length"])
        writer.writerows(zip(range(len(returns)), returns, lengths, strict=True))
    board = ScalarWriter(run.logs)
    for path, total, length in record_gifs(
        act, config, run.file("episodes"), config.evaluate.gif_episodes, HELD_OUT_SEED, board
    ):
        print(f"wrote {path}: return {total:g} in {length} steps")
    board.flush()
    return score(returns, lengths, solved_return(config.train, spec))


def report(metrics):
    """The metrics in one line, for the end of `train` and of `evaluate`."""
    solved = {1.0: ", solved", 0.0: ", not solved"}.get(metrics.get("solved"), "")
    return (
        f"mean_return {metrics['mean_return']:.1f} +- {metrics['std_return']:.1f} over {metrics['episodes']} "
        f"episodes (min {metrics['min_return']:g}, max {metrics['max_return']:g}){solved}"
    )
