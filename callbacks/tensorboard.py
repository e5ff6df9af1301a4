"""TensorBoard beyond scalars: image grids, figures, and the HParams dashboard."""

import io
from pathlib import Path

import numpy as np
import tensorflow as tf
from PIL import Image


def tensorboard(log_dir, profile_batches=None):
    """Keras' TensorBoard callback: scalars per epoch (learning rate included), the graph, and,
    when `profile_batches` is `(first, last)`, a profile of that step range."""
    import keras

    return keras.callbacks.TensorBoard(
        log_dir=str(log_dir),
        write_graph=True,
        profile_batch=tuple(profile_batches) if profile_batches else 0,
    )


def image_grid(images, columns=8):
    """Tiles `images` (N, H, W, C) uint8 into one (rows*H, columns*W, C) array."""
    images = np.asarray(images)
    count, height, width, channels = images.shape
    columns = min(columns, count)
    rows = -(-count // columns)
    grid = np.zeros((rows * height, columns * width, channels), dtype=images.dtype)
    for index, image in enumerate(images):
        row, column = divmod(index, columns)
        grid[row * height:(row + 1) * height, column * width:(column + 1) * width] = image
    return grid


def log_image(log_dir, tag, image, step=0, png_path=None):
    """Writes one uint8 image (H, W, C) to TensorBoard under `tag`, and as a PNG when `png_path` is given."""
    image = np.asarray(image, dtype=np.uint8)
    with tf.summary.create_file_writer(str(log_dir)).as_default():
        tf.summary.image(tag, image[None], step=step)
    if png_path is not None:
        Image.fromarray(image.squeeze(-1) if image.shape[-1] == 1 else image).save(png_path)


def figure_to_image(figure):
    """A matplotlib figure rendered to a uint8 RGB array, then closed."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(figure)
    buffer.seek(0)
    return np.asarray(Image.open(buffer).convert("RGB"))


def log_hparams(log_dir, hparams, metrics):
    """Writes a run's knobs and final metrics to the HParams dashboard, to compare runs side by side."""
    from tensorboard.plugins.hparams import api as hp

    clean = {key: value if isinstance(value, (bool, int, float, str)) else str(value) for key, value in hparams.items()}
    with tf.summary.create_file_writer(str(log_dir)).as_default():
        hp.hparams(clean)
        for name, value in metrics.items():
            tf.summary.scalar(f"final/{name}", value, step=0)


class ScalarWriter:
    """Scalars at any step, for loops that are not `fit` (environment steps, episodes).

    >>> board = ScalarWriter(run.logs / "train")
    >>> board.scalars({"episode/return": 21.0, "episode/length": 21}, step=1500)
    """

    def __init__(self, log_dir):
        self.writer = tf.summary.create_file_writer(str(log_dir))

    def scalars(self, values, step):
        with self.writer.as_default():
            for tag, value in values.items():
                tf.summary.scalar(tag, value, step=step)

    def image(self, tag, image, step):
        with self.writer.as_default():
            tf.summary.image(tag, np.asarray(image, dtype=np.uint8)[None], step=step)

    def flush(self):
        self.writer.flush()


def summary_tags(log_dir):
    """`(tag, plugin)` of everything written to the event files under `log_dir`: what TensorBoard will show."""
    tags = set()
    for events in Path(log_dir).rglob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(events)):
            tags.update((value.tag, value.metadata.plugin_data.plugin_name) for value in event.summary.value)
    return tags
