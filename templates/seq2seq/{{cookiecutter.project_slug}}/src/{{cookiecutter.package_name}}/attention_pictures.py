"""Attention heat maps: which source tokens (or picture regions) each output token looked at, as a picture.

For text, rows are output tokens, columns source tokens, and each row is one softmax over the source: a
translation that reorders (a year moving from last to first) shows as a diagonal that jumps. For a
picture, each output word gets its own panel: the picture, lit where that word's attention fell.

    image = attention_image(weights, ["▁the", "▁third", ...], ["1", "9", ...])
    image = picture_attention_image(pixels, weights_on_grid, ["a", "red", "circle"])
    board.log_image(run.logs, "attention/0", image, step=epoch, png_path=run.file("a.png"))
"""

import numpy as np

from .callbacks.tensorboard import figure_to_image


def attention_image(weights, source_tokens, target_tokens, title=None):
    """`weights [target, source]` (rows sum to 1) drawn as a labelled heat map; a uint8 RGB array."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    weights = np.asarray(weights, dtype=np.float32)
    if weights.shape != (len(target_tokens), len(source_tokens)):
        raise ValueError(
            f"weights {weights.shape} do not match {len(target_tokens)} target x {len(source_tokens)} source tokens"
        )
    figure, axis = plt.subplots(figsize=(1.0 + 0.32 * len(source_tokens), 1.0 + 0.32 * len(target_tokens)))
    axis.imshow(weights, cmap="viridis", vmin=0.0, vmax=1.0, aspect="auto")
    axis.set_xticks(range(len(source_tokens)), source_tokens, rotation=90, fontsize=8)
    axis.set_yticks(range(len(target_tokens)), target_tokens, fontsize=8)
    axis.set_xlabel("source")
    axis.set_ylabel("output")
    if title:
        axis.set_title(title, fontsize=9)
    return figure_to_image(figure)


def picture_attention_image(picture, weights, target_tokens, title=None, columns=6):
    """`weights [target, grid_height, grid_width]` (each sums to 1 over the grid) over an RGB `picture`, one panel
    per output token, the grid stretched over the picture; a uint8 RGB array."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    picture = np.asarray(picture, dtype=np.float32)
    weights = np.asarray(weights, dtype=np.float32)
    if weights.ndim != 3 or len(weights) != len(target_tokens):
        raise ValueError(f"weights {weights.shape} are not {len(target_tokens)} target tokens x a grid")
    columns = min(columns, len(target_tokens))
    rows = -(-len(target_tokens) // columns)
    figure, axes = plt.subplots(
        rows, columns, figsize=(1.6 * columns, 1.75 * rows + (0.3 if title else 0)), squeeze=False
    )
    extent = (0, picture.shape[1], picture.shape[0], 0)
    for axis in axes.flat:
        axis.axis("off")
    for axis, token, grid in zip(axes.flat, target_tokens, weights, strict=False):
        axis.imshow(np.clip(picture / 255.0, 0, 1), extent=extent)
        # Scaled to the panel's own peak: a word that looks at one region of 64 shows it as clearly as one of 4.
        axis.imshow(
            grid / max(float(grid.max()), 1e-6),
            cmap="inferno",
            alpha=0.55,
            vmin=0,
            vmax=1,
            extent=extent,
            interpolation="bilinear",
        )
        axis.set_title(token, fontsize=9)
    if title:
        figure.suptitle(title, fontsize=9)
    return figure_to_image(figure)
