"""Training, read top to bottom: input size, batches, model, phases of `fit`, the final scores and pictures.

Transfer learning runs in two phases in one run: phase 1 trains a new head on the frozen backbone,
phase 2 unfreezes the backbone's top layers at a lower learning rate. Without pretrained weights
there is one phase in which every layer trains. Epochs are counted across phases (a phase that
stops early hands over at the epoch it stopped), so a killed run resumes in the right phase at the
right epoch. The run folder, resuming and `metrics.json` are the shared runner's (`runtime/training.py`).
"""

import keras

from . import data, scoring
from .callbacks import tensorboard as board
from .callbacks.confusion import log_confusion_matrix
from .model import build_model, set_trainable
from .runtime import fitting, sizing
from .runtime.optimizers import make_optimizer
from .runtime.phases import plan_phases


def compile_for(model, phase, config, jit_compile):
    set_trainable(model, phase.name, config.train.unfreeze_top)
    top_k = min(config.evaluate.top_k, model.output.shape[-1])
    model.compile(
        optimizer=make_optimizer(config.train.optimizer, phase.learning_rate),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=config.train.label_smoothing),
        metrics=[
            keras.metrics.CategoricalAccuracy(name="accuracy"),
            keras.metrics.TopKCategoricalAccuracy(top_k, name="top_k_accuracy"),
        ],
        jit_compile=jit_compile,
    )


def train(task, config, splits, session):
    size = data.image_size(config.data, splits.train_paths)
    batches = data.training_batches(config, splits, size)
    momentum = sizing.configured_batchnorm_momentum(
        config.model.batchnorm_momentum, len(splits.train_paths), config.data.batch_size
    )
    with session.setup.scope():
        model = build_model(config, splits.class_names, size, momentum)
    session.announce(
        f"{len(splits.train_paths)} training / {len(splits.val_paths)} validation images, "
        f"{len(splits.class_names)} classes, {size}x{size} px, {config.model.backbone}, "
        f"{session.setup.precision}, {session.setup.replicas} replica(s)"
    )
    if not session.resumed:
        grid = board.image_grid(data.preview_batch(config, splits, size))
        board.log_image(session.run.logs, "augmented_training_images", grid, png_path=session.run.file("augmented.png"))
    final = fitting.fit(session, task, config, model, batches, plan_phases(config.train, config.pretrained))
    metrics, confusion = scoring.score(final, splits.val_paths, splits.val_labels, config)
    log_confusion_matrix(session.run, confusion, splits.class_names)
    print(f"finished run {session.run.path}: val accuracy {metrics['accuracy']:.3f}", flush=True)
    return metrics
