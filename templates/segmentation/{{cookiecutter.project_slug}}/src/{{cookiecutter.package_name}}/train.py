"""Training, read top to bottom: run folder, devices, seed, data, model, loss, phases, callbacks, fit, report.

With a pretrained encoder the run has two phases: phase 1 trains the decoder on the frozen encoder,
phase 2 unfreezes the encoder's top layers at a lower learning rate. The U-Net from scratch trains in
one phase. Epochs are counted across phases, so a killed run resumes in the right phase at the right epoch.
"""

import math

import keras

from . import data, evaluate
from .callbacks import batchnorm, checkpoint, history, monitoring
from .callbacks import tensorboard as board
from .callbacks.masks import MaskPreview
from .losses import build_loss, mean_iou_metric
from .model import build_model, palette, set_trainable
from .runtime import config as config_lib
from .runtime import device, rundir, sizing
from .runtime.files import atomic_path
from .runtime.phases import make_optimizer, plan_phases, remaining_phases
from .runtime.seed import set_seed


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


def make_callbacks(run, phase, phase_start, config, train_data, preview, examples, epochs_done):
    callbacks = [
        batchnorm.BatchNormCalibration(train_data),
        monitoring.Throughput(examples),
        keras.callbacks.TerminateOnNaN(),
        monitoring.GeneralizationGapWarning(run.logs, "mean_iou"),
        history.csv_logger(run.history, epochs_done),
        board.tensorboard(run.logs, config.train.profile_batches),
        MaskPreview(*preview, config.data.class_names, class_colours(config), run.logs / "images",
                    run.file("val_predictions.png")),
        checkpoint.BestModelCheckpoint(run.checkpoints / "best.keras", monitor="val_mean_iou", mode="max"),
        checkpoint.ResumableCheckpoint(run.checkpoints, phase=phase.name, phase_start=phase_start),
    ]
    if config.train.early_stopping_patience > 0:
        callbacks.append(keras.callbacks.EarlyStopping("val_mean_iou", patience=config.train.early_stopping_patience,
                                                       mode="max"))
    return callbacks


def train(config):
    config_dict = config_lib.to_dict(config)
    run, resumed = rundir.prepare_run(config.run.dir, config_dict, config.run.name or None)
    setup = device.setup(config.train.precision, config.train.jit_compile)
    set_seed(config.train.seed, config.train.deterministic)

    splits = data.read_splits(config.data, config.train.seed)
    size = data.image_size(config.data, splits.train_images)
    train_data, val_data = data.training_datasets(config, splits, size)
    class_weights = data.class_weights(config, splits)
    steps = math.ceil(len(splits.train_images) / config.data.batch_size)
    momentum = config.model.batchnorm_momentum
    if momentum == "auto":
        momentum = sizing.batchnorm_momentum(steps)
    with setup.strategy.scope():
        model = build_model(config, config.data.class_names, class_colours(config), size, momentum)

    state = checkpoint.resume_state(run.checkpoints)
    epochs_done = state["epochs_done"] if state else 0
    print(f"{'resuming' if resumed else 'starting'} run {run.path} at epoch {epochs_done + 1}: "
          f"{len(splits.train_images)} training / {len(splits.val_images)} validation images, "
          f"{len(config.data.classes)} classes, {size}x{size} px, {config.model.encoder}, {setup.precision}, "
          f"{setup.replicas} replica(s)", flush=True)
    if class_weights is not None and not resumed:
        print("class weights (median frequency): " + ", ".join(
            f"{name} {weight:.2f}" for name, weight in zip(config.data.class_names, class_weights, strict=True)))
    preview = data.preview_pairs(config, splits.val_images, splits.val_masks, size)

    for phase, start in remaining_phases(plan_phases(config.train, config.pretrained), state):
        start = epochs_done if start is None else start
        with setup.strategy.scope():
            compile_for(model, phase, config, class_weights, setup)
        callbacks = make_callbacks(run, phase, start, config, train_data, preview, len(splits.train_images),
                                   epochs_done)
        fitted = model.fit(train_data, validation_data=val_data, initial_epoch=epochs_done, epochs=start + phase.epochs,
                           verbose=2, callbacks=callbacks)
        epochs_done += len(fitted.epoch)

    best = run.checkpoints / "best.keras"
    final = keras.saving.load_model(best) if best.is_file() else model
    with atomic_path(run.file("model.keras")) as temporary:
        final.save(temporary)
    metrics, matrix = evaluate.score(final, splits.val_images, splits.val_masks, config, run)
    board.log_hparams(run.logs, config_lib.flatten(config_dict), metrics)
    evaluate.write_report(run, metrics, matrix, config.data.class_names)  # metrics.json last: marks the run finished
    print(f"finished run {run.path}: val mean IoU {metrics['mean_iou']:.3f}", flush=True)
    return run, metrics
