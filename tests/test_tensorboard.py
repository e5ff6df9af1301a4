"""TensorBoard as a person reads it: one event directory per run, training and validation side by side, the model's
graph, and an HParams row named by the run with the knobs in the order given."""

import keras
import numpy as np
import tensorflow as tf
from shared.callbacks.tensorboard import log_hparams, summary_tags, tensorboard
from tensorboard.plugins.hparams import metadata


def summaries(log_dir):
    """Every `(tag, plugin content)` and whether a graph was written, from the event files under `log_dir`."""
    found, graph = {}, False
    for events in sorted(log_dir.rglob("events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(str(events)):
            graph = graph or event.HasField("graph_def")
            found.update((value.tag, value.metadata.plugin_data.content) for value in event.summary.value)
    return found, graph


def test_fit_writes_one_directory_with_both_curves_their_chart_and_the_graph(tmp_path):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="scores")])
    model.compile(keras.optimizers.Adam(0.01), "mse", metrics=["mae"])
    batches = tf.data.Dataset.from_tensor_slices((np.ones((8, 3), "float32"), np.zeros((8, 2), "float32"))).batch(4)
    model.fit(
        batches,
        validation_data=batches,
        epochs=2,
        shuffle=False,
        verbose=0,
        callbacks=[tensorboard(tmp_path, None, batches.element_spec[0])],
    )

    assert {path.parent for path in tmp_path.rglob("events.out.tfevents.*")} == {tmp_path}  # one TensorBoard run
    found, graph = summaries(tmp_path)
    assert {"epoch_loss", "epoch_val_loss", "epoch_mae", "epoch_val_mae", "epoch_learning_rate"} <= set(found)
    assert ("custom_scalars__config__", "custom_scalars") in summary_tags(tmp_path)
    assert graph


def test_hparams_row_is_named_by_the_run_with_the_knobs_in_order(tmp_path):
    config = {"train.learning_rate": 0.01, "model.units": 16, "data.batch_size": 32, "model.blocks": [8, 16]}
    knobs = ("model.units", "model.blocks", "train.learning_rate", "train.schedule", "data.batch_size")
    log_hparams(
        tmp_path, "2026-01-01_run", knobs, config, {"accuracy": 0.5, "loss": 1.0}, ("accuracy", "epoch_val_loss")
    )

    found, _ = summaries(tmp_path)
    experiment = metadata.parse_experiment_plugin_data(found[metadata.EXPERIMENT_TAG])
    shown = [info.display_name for info in sorted(experiment.hparam_infos, key=lambda info: info.name)]
    assert shown == ["model.units", "model.blocks", "train.learning_rate", "data.batch_size"]  # no schedule here
    assert [info.name.tag for info in experiment.metric_infos] == ["final/accuracy", "epoch_val_loss"]
    session = metadata.parse_session_start_info_plugin_data(found[metadata.SESSION_START_INFO_TAG])
    assert session.group_name == "2026-01-01_run"
    assert session.hparams["02 model.blocks"].string_value == "[8, 16]"
    assert {"final/accuracy", "final/loss"} <= set(found)
