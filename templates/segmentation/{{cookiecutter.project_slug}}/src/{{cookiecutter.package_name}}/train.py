"""Training, read top to bottom: run folder, devices, seed, data, model, loss, phases, callbacks, fit, report.

With a pretrained encoder the run has two phases: phase 1 trains the decoder on the frozen encoder,
phase 2 unfreezes the encoder's top layers at a lower learning rate. The U-Net from scratch trains in
one phase. Epochs are counted across phases, so a killed run resumes in the right phase at the right epoch.
"""

import keras

from . import data, evaluate
from .callbacks.masks import MaskPreview
from .losses import build_loss, mean_iou_metric
from .model import build_model, palette, set_trainable
from .runtime import sizing, training
from .runtime.phases import make_optimizer, plan_phases

# A mask batch holds thousands of pixels per image: three batches estimate BatchNorm's statistics well.
CALIBRATION_BATCHES = 3


def class_colours(config):
    """The colours masks are drawn in: the classes' own for palette masks, a default palette otherwise."""
    if config.data.classes[0].colour is not None:
        return [list(mask_class.colour) for mask_class in config.data.classes]
    return palette(len(config.data.classes))


def compile_for(model, phase, config, class_weights, setup):
    set_trainable(model, phase.name, config.train.unfreeze_top)
    model.compile(
        optimizer=make_optimizer(config.train.optimizer, phase.learning_rate),
        loss=build_loss(config.loss, len(config.data.classes), class_weights),
        metrics=[mean_iou_metric(len(config.data.classes)), keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
        jit_compile=setup.jit_compile,
    )


def train(config):
    run, resumed, setup, config_dict = training.begin(config)

    splits = data.read_splits(config.data, config.train.seed)
    size = data.image_size(config.data, splits.train_images)
    train_data, val_data = data.training_datasets(config, splits, size)
    class_weights = data.class_weights(config, splits)
    momentum = sizing.configured_batchnorm_momentum(config.model.batchnorm_momentum, len(splits.train_images),
                                                    config.data.batch_size)
    with setup.strategy.scope():
        model = build_model(config, config.data.class_names, class_colours(config), size, momentum)

    print(f"{'resuming' if resumed else 'starting'} run {run.path} at epoch {training.epochs_done(run) + 1}: "
          f"{len(splits.train_images)} training / {len(splits.val_images)} validation images, "
          f"{len(config.data.classes)} classes, {size}x{size} px, {config.model.encoder}, {setup.precision}, "
          f"{setup.replicas} replica(s)", flush=True)
    if class_weights is not None and not resumed:
        print("class weights (median frequency): " + ", ".join(
            f"{name} {weight:.2f}" for name, weight in zip(config.data.class_names, class_weights, strict=True)))
    preview = MaskPreview(*data.preview_pairs(config, splits.val_images, splits.val_masks, size),
                          config.data.class_names, class_colours(config), run.logs / "images",
                          run.file("val_predictions.png"))

    def callbacks_for(phase, phase_start, epochs_so_far):
        return [*training.standard_callbacks(run, phase, phase_start, epochs_so_far, config.train, train_data,
                                             len(splits.train_images), "mean_iou", CALIBRATION_BATCHES), preview]

    final = training.fit_phases(model, run, plan_phases(config.train, config.pretrained), setup,
                                lambda model, phase: compile_for(model, phase, config, class_weights, setup),
                                train_data, val_data, callbacks_for)
    metrics, matrix = evaluate.score(final, splits.val_images, splits.val_masks, config, run)
    training.finish(run, config_dict, metrics)
    evaluate.write_report(run, metrics, matrix, config.data.class_names)  # metrics.json last: marks the run finished
    print(f"finished run {run.path}: val mean IoU {metrics['mean_iou']:.3f}", flush=True)
    return run, metrics
