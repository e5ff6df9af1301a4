"""Callbacks that watch a run: throughput, a warning when training and validation part ways, and early stopping
that says when it ends a run."""

import time

import keras
import tensorflow as tf


class Throughput(keras.callbacks.Callback):
    """Adds `examples_per_second` (training, whole epoch) to the epoch logs, so CSV and TensorBoard get it.

    Put it before the loggers in the callback list: later callbacks see the same logs dict.
    """

    def __init__(self, examples_per_epoch):
        super().__init__()
        self.examples_per_epoch = examples_per_epoch

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["examples_per_second"] = self.examples_per_epoch / (time.perf_counter() - self.started)


class GeneralizationGapWarning(keras.callbacks.Callback):
    """Warns, in the log and in TensorBoard, when training and validation metrics part ways.

    The classic small-data failure (keras issues 9214, 10045, 10214): 100 % training accuracy and
    chance on validation, often from BatchNorm statistics that never converged. It fires after
    `patience` epochs in a row where `metric` minus `val_metric` exceeds `gap`.

    Example:

    >>> model.fit(..., validation_data=val, callbacks=[GeneralizationGapWarning(log_dir, "accuracy")])
    """

    def __init__(self, log_dir, metric="accuracy", gap=0.25, patience=2, higher_is_better=True):
        super().__init__()
        self.log_dir = str(log_dir)
        self.metric = metric
        self.gap = gap
        self.patience = patience
        self.sign = 1.0 if higher_is_better else -1.0
        self.streak = 0
        self.warnings = []

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        train, val = logs.get(self.metric), logs.get(f"val_{self.metric}")
        if train is None or val is None:
            return
        difference = self.sign * (train - val)
        self.streak = self.streak + 1 if difference > self.gap else 0
        if self.streak != self.patience:
            return
        message = (
            f"warning: training and validation part ways at epoch {epoch + 1}: {self.metric} {train:.3f} "
            f"on training but {val:.3f} on validation for {self.patience} epochs. The model memorises "
            f"the training set: add data or augmentation, lower the learning rate, or check that the "
            f"validation images come from the same source."
        )
        self.warnings.append(message)
        print(message, flush=True)
        with tf.summary.create_file_writer(self.log_dir).as_default():
            tf.summary.text("generalization_gap_warning", message, step=epoch)


class EarlyStopping(keras.callbacks.EarlyStopping):
    """Keras' early stopping, which also says in one line that it stopped, after which epoch and why: a run that ends
    at epoch 25 of 40 without a word looks like a crash.

    >>> model.fit(..., callbacks=[EarlyStopping("val_accuracy", mode="max", patience=5, start_from_epoch=3)])
    """

    def on_train_end(self, logs=None):
        super().on_train_end(logs)
        if self.stopped_epoch:
            epochs = f"{self.wait} epoch" + ("s" if self.wait > 1 else "")
            print(
                f"stopped early after epoch {self.stopped_epoch + 1}: no better {self.monitor} for {epochs} "
                "(train.early_stopping_patience)",
                flush=True,
            )
