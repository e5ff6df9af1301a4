"""Episodes a person can watch: evaluation episodes as GIFs, and the returns of training as a chart.

write_gif(frames, run.file("episodes/step_050000.gif"), fps=30)
image = returns_image(episode_steps, episode_returns, evaluation_steps, evaluation_returns, target=475)
board.log_image(run.logs, "returns", image, png_path=run.file("returns.png"))
"""

import numpy as np
from PIL import Image

from .callbacks.tensorboard import figure_to_image
from .runtime.files import atomic_path

MOVING_AVERAGE = 20  # training episodes averaged in the chart's trend line


def write_gif(frames, path, fps=30):
    """RGB frames `(height, width, 3)` uint8 as a looping GIF at `fps`, written atomically."""
    if not len(frames):
        raise ValueError("no frames to write")
    pictures = [Image.fromarray(np.asarray(frame, dtype=np.uint8)) for frame in frames]
    with atomic_path(path) as temporary:
        pictures[0].save(
            temporary,
            format="GIF",
            save_all=True,
            append_images=pictures[1:],
            duration=max(20, round(1000 / fps)),
            loop=0,
        )  # browsers play frames under 20 ms slowly


def returns_image(episode_steps, episode_returns, evaluation_steps=(), evaluation_returns=(), target=None):
    """Training episode returns (dots, with a moving average) and greedy evaluation means against environment
    steps, with the return that counts as solved; a uint8 RGB array."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(7, 4))
    axis.scatter(episode_steps, episode_returns, s=4, alpha=0.35, color="tab:blue", label="training episode")
    if len(episode_returns) >= MOVING_AVERAGE:
        trend = np.convolve(episode_returns, np.ones(MOVING_AVERAGE) / MOVING_AVERAGE, mode="valid")
        axis.plot(
            episode_steps[MOVING_AVERAGE - 1 :], trend, color="tab:blue", label=f"mean of {MOVING_AVERAGE} episodes"
        )
    if len(evaluation_returns):
        axis.plot(evaluation_steps, evaluation_returns, "o-", color="tab:orange", label="greedy evaluation mean")
    if target is not None:
        axis.axhline(target, color="tab:green", linestyle="--", label=f"solved ({target:g})")
    axis.set_xlabel("environment steps")
    axis.set_ylabel("return")
    axis.legend(loc="best", fontsize=8)
    return figure_to_image(figure)
