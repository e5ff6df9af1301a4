"""Attention heat maps: which source tokens each output token looked at, as a picture.

Rows are output tokens, columns source tokens, and each row is one softmax over the source: a
translation that reorders (a year moving from last to first) shows as a diagonal that jumps.

    image = attention_image(weights, ["▁the", "▁third", ...], ["1", "9", ...])
    board.log_image(run.logs / "attention", "attention/0", image, step=epoch, png_path=run.file("a.png"))
"""

import numpy as np

from .tensorboard import figure_to_image


def attention_image(weights, source_tokens, target_tokens, title=None):
    """`weights [target, source]` (rows sum to 1) drawn as a labelled heat map; a uint8 RGB array."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    weights = np.asarray(weights, dtype=np.float32)
    if weights.shape != (len(target_tokens), len(source_tokens)):
        raise ValueError(f"weights {weights.shape} do not match {len(target_tokens)} target x "
                         f"{len(source_tokens)} source tokens")
    figure, axis = plt.subplots(figsize=(1.0 + 0.32 * len(source_tokens), 1.0 + 0.32 * len(target_tokens)))
    axis.imshow(weights, cmap="viridis", vmin=0.0, vmax=1.0, aspect="auto")
    axis.set_xticks(range(len(source_tokens)), source_tokens, rotation=90, fontsize=8)
    axis.set_yticks(range(len(target_tokens)), target_tokens, fontsize=8)
    axis.set_xlabel("source")
    axis.set_ylabel("output")
    if title:
        axis.set_title(title, fontsize=9)
    return figure_to_image(figure)
