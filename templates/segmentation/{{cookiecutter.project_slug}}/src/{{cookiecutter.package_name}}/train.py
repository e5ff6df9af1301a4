"""Training, read top to bottom: input size, batches, model, phases of `fit`, the final scores and pictures.

With a pretrained encoder the run has two phases: phase 1 trains the decoder on the frozen encoder,
phase 2 unfreezes the encoder's top layers at a lower learning rate. The U-Net from scratch trains in
one phase. Epochs are counted across phases, so a killed run resumes in the right phase at the right epoch.
The run folder, resuming and `metrics.json` are the shared runner's (`runtime/training.py`).
"""

import keras

from . import data, scoring
from .losses import build_loss, mean_iou_metric
from .mask_pictures import MaskPreview
from .model import build_model, palette, set_trainable
from .runtime import fitting, sizing
from .runtime.optimizers import make_optimizer
from .runtime.phases import plan_phases


def class_colours(config):
    """The colours masks are drawn in: the classes' own for palette masks, a default palette otherwise."""
    if config.data.classes[0].colour is not None:
        return [list(mask_class.colour) for mask_class in config.data.classes]
    return palette(len(config.data.classes))


def compile_for(model, phase, config, class_weights, jit_compile):
    set_trainable(model, phase.name, config.train.unfreeze_top)
    model.compile(
        optimizer=make_optimizer(config.train.optimizer, phase.learning_rate),
        loss=build_loss(config.loss, len(config.data.classes), class_weights),
        metrics=[mean_iou_metric(len(config.data.classes)), keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
        jit_compile=jit_compile,
    )


def print_class_weights(class_names, class_weights):
    print(
        "class weights (median frequency): "
        + ", ".join(f"{name} {weight:.2f}" for name, weight in zip(class_names, class_weights, strict=True))
    )


def train(task, config, splits, session):
    size = data.image_size(config, splits)
    batches = data.training_batches(config, splits, size)
    momentum = sizing.configured_batchnorm_momentum(
        config.model.batchnorm_momentum, len(splits.train_images), config.data.batch_size
    )
    with session.setup.scope():
        model = build_model(config, config.data.class_names, class_colours(config), size, momentum)
    session.announce(
        f"{len(splits.train_images)} training / {len(splits.val_images)} validation images, "
        f"{len(config.data.classes)} classes, {size}x{size} px, {config.model.encoder}, "
        f"{session.setup.precision}, {session.setup.replicas} replica(s)"
    )
    if batches.loss_class_weights is not None and not session.resumed:
        print_class_weights(config.data.class_names, batches.loss_class_weights)
    preview = MaskPreview(
        *data.preview_pairs(config, splits.val_images, splits.val_masks, size),
        config.data.class_names,
        class_colours(config),
        session.run.logs,
        session.run.file("val_predictions.png"),
    )
    final = fitting.fit(
        session, task, config, model, batches, plan_phases(config.train, config.pretrained), callbacks=[preview]
    )
    metrics, matrix = scoring.score(final, splits.val_images, splits.val_masks, config, session.run)
    scoring.draw_confusion(session.run, matrix, config.data.class_names)
    print(f"finished run {session.run.path}: val mean IoU {metrics['mean_iou']:.3f}", flush=True)
    return metrics
