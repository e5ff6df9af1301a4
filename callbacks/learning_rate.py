"""The learning rate of every training step, in TensorBoard: a schedule (warm-up, cosine decay, halvings on a
plateau) is seen as it happens, not once an epoch."""

import keras
import tensorflow as tf

from ..runtime.optimizers import current_learning_rate


class LearningRateLogger(keras.callbacks.Callback):
    """Writes scalar `batch_learning_rate` at each optimizer step to the event files in `log_dir`.

    The step is the optimizer's own count, which a resumed run restores, so a resumed curve continues the first.

    >>> model.fit(data, epochs=5, callbacks=[LearningRateLogger(run.logs)])
    """

    def __init__(self, log_dir):
        super().__init__()
        self.log_dir = log_dir
        self.writer = None

    def on_train_begin(self, logs=None):
        self.writer = tf.summary.create_file_writer(str(self.log_dir))

    def on_train_batch_begin(self, batch, logs=None):
        optimizer = self.model.optimizer
        step = int(keras.ops.convert_to_numpy(optimizer.iterations))
        with self.writer.as_default():
            tf.summary.scalar("batch_learning_rate", current_learning_rate(optimizer), step=step)

    def on_train_end(self, logs=None):
        self.writer.close()
