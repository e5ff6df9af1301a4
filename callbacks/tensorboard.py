"""TensorBoard, one run per training run: epoch scalars, images, the model graph and the HParams dashboard.

Everything a run writes goes to the one event directory `RUN/logs`, so `tensorboard --logdir runs` lists each run
once, by its folder (`<run>/logs`). Keras' own callback would split a run into `logs/train` and `logs/validation`;
`TensorBoard` here writes the training and validation value of each metric side by side instead (`epoch_loss`,
`epoch_val_loss`) and a Custom Scalars layout that draws each such pair in one chart.
"""

import io
import re
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from PIL import Image

from ..runtime.optimizers import current_learning_rate

EPOCH = "epoch_"  # the prefix of the per-epoch scalars, as Keras names them


class TensorBoard(keras.callbacks.Callback):
    """After each epoch, every value of `fit`'s logs as `epoch_<name>` (validation ones as `epoch_val_<name>`) and
    the learning rate as `epoch_learning_rate`; before the first epoch, the model's graph traced on `input_spec`
    (TensorFlow's graph: none on JAX); when `profile_batches` is `(first, last)`, a profile of that step range
    (TensorFlow's profiler, or JAX's trace, both in the Profile tab).

    Put it after the callbacks that add to the logs (examples per second, BLEU): it writes what they added.
    """

    def __init__(self, log_dir, input_spec=None, profile_batches=None):
        super().__init__()
        self.log_dir, self.input_spec = log_dir, input_spec
        self.profile_batches = tuple(profile_batches) if profile_batches else None
        self.writer, self.step, self.charted = None, 0, False

    def on_train_begin(self, logs=None):
        self.writer = tf.summary.create_file_writer(str(self.log_dir))
        self.step = 0

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 0 and self.input_spec is not None:  # once per run, not again in later phases or on resuming
            write_graph(self.log_dir, self.model, self.input_spec)

    def on_train_batch_begin(self, batch, logs=None):
        self.step += 1
        if self.profile_batches and self.step == self.profile_batches[0]:
            if on_jax():
                import jax

                jax.profiler.start_trace(str(self.log_dir))
            else:
                tf.profiler.experimental.start(str(self.log_dir))

    def on_train_batch_end(self, batch, logs=None):
        if self.profile_batches and self.step == self.profile_batches[1]:
            if on_jax():
                import jax

                jax.profiler.stop_trace()
            else:
                tf.profiler.experimental.stop()

    def on_epoch_end(self, epoch, logs=None):
        values = {**(logs or {}), "learning_rate": current_learning_rate(self.model.optimizer)}
        with self.writer.as_default():
            if not self.charted:
                write_pairs_layout(values)
                self.charted = True
            for name, value in values.items():
                tf.summary.scalar(EPOCH + name, value, step=epoch)
        self.writer.flush()

    def on_train_end(self, logs=None):
        self.writer.close()


def tensorboard(log_dir, profile_batches=None, input_spec=None):
    """The shared `fit` callback (`TensorBoard`) writing into `log_dir`: per-epoch scalars, the graph of the model
    called on `input_spec` (a batch's structure of `tf.TensorSpec`, e.g. the training data's `element_spec[0]`) and
    an optional profile."""
    return TensorBoard(log_dir, None if on_jax() else input_spec, profile_batches)


def on_jax():
    return keras.backend.backend() == "jax"


def write_pairs_layout(values):
    """A Custom Scalars chart for each metric in `values` that has a `val_` twin: training and validation in one
    chart, as the Scalars tab cannot draw two tags together. Call it inside a writer's `as_default()`."""
    from tensorboard.plugins.custom_scalar import layout_pb2
    from tensorboard.plugins.custom_scalar import summary as custom_scalar

    charts = [
        layout_pb2.Chart(
            title=name, multiline=layout_pb2.MultilineChartContent(tag=[rf"^{EPOCH}(val_)?{re.escape(name)}$"])
        )
        for name in values
        if f"val_{name}" in values
    ]
    layout = layout_pb2.Layout(category=[layout_pb2.Category(title="training and validation", chart=charts)])
    tf.summary.experimental.write_raw_pb(custom_scalar.pb(layout).SerializeToString(), step=0)


def write_graph(log_dir, model, input_spec):
    """The graph of `model` called on `input_spec` (inference), for TensorBoard's Graphs tab."""
    forward = tf.function(lambda inputs: model(inputs, training=False))
    graph = forward.get_concrete_function(input_spec).graph
    with tf.summary.create_file_writer(str(log_dir)).as_default():
        tf.summary.graph(graph)


def image_grid(images, columns=8):
    """Tiles `images` (N, H, W, C) uint8 into one (rows*H, columns*W, C) array."""
    images = np.asarray(images)
    count, height, width, channels = images.shape
    columns = min(columns, count)
    rows = -(-count // columns)
    grid = np.zeros((rows * height, columns * width, channels), dtype=images.dtype)
    for index, image in enumerate(images):
        row, column = divmod(index, columns)
        grid[row * height : (row + 1) * height, column * width : (column + 1) * width] = image
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


def log_hparams(log_dir, trial_id, knobs, hparams, metrics, scores):
    """One row of the HParams dashboard, named `trial_id` (the run folder): the values of `knobs` (keys of the
    flattened config `hparams`, in the order to show them; keys the config lacks are left out), then `scores`, each
    the name of one of the final `metrics` (all written as `final/<name>` scalars) or a scalar tag, whose last value
    counts (a validation curve: `epoch_val_loss`).

    TensorBoard orders the dashboard's columns by name, so the names are numbered ("01 model.units") and each
    column shows the config key as its display name.
    """
    from tensorboard.plugins.hparams import api as hp

    present = [key for key in knobs if key in hparams]
    columns = [hp.HParam(f"{index:02d} {key}", display_name=key) for index, key in enumerate(present, 1)]
    values = {column: plain(hparams[key]) for column, key in zip(columns, present, strict=True)}
    tags = [f"final/{name}" if name in metrics else name for name in scores]
    measures = [hp.Metric(tag, display_name=tag.removeprefix("final/").removeprefix(EPOCH)) for tag in tags]
    with tf.summary.create_file_writer(str(log_dir)).as_default():
        hp.hparams_config(hparams=columns, metrics=measures)
        hp.hparams(values, trial_id=trial_id)
        for name, value in metrics.items():
            tf.summary.scalar(f"final/{name}", value, step=0)


def plain(value):
    """A config value as HParams takes it: a bool, number or string (lists and None as their text)."""
    return value if isinstance(value, (bool, int, float, str)) else str(value)


class ScalarWriter:
    """Scalars at any step, for loops that are not `fit` (environment steps, episodes).

    >>> board = ScalarWriter(run.logs)
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
