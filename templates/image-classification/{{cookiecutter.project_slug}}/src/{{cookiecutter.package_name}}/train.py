"""Training, read top to bottom: run folder, devices, seed, data, model, phases, callbacks, fit, report.

Transfer learning runs in two phases in one run: phase 1 trains a new head on the frozen backbone,
phase 2 unfreezes the backbone's top layers at a lower learning rate. Without pretrained weights
there is one phase in which every layer trains. Epochs are counted across phases (a phase that
stops early hands over at the epoch it stopped), so a killed run resumes in the right phase at the
right epoch.
"""

import math

import keras

from . import data, evaluate
from .callbacks import batchnorm, checkpoint, history, monitoring
from .callbacks import tensorboard as board
from .model import build_model, set_trainable
from .runtime import config as config_lib
from .runtime import device, rundir, sizing
from .runtime.files import atomic_path
from .runtime.phases import make_optimizer, plan_phases, remaining_phases
from .runtime.seed import set_seed


def phases(config):
    return plan_phases(config.train, config.pretrained)


def compile_for(model, phase, config, setup):
    set_trainable(model, phase.name, config.train.unfreeze_top)
    top_k = min(config.evaluate.top_k, model.output.shape[-1])
    model.compile(
        optimizer=make_optimizer(config.train.optimizer, phase.learning_rate),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=config.train.label_smoothing),
        metrics=[keras.metrics.CategoricalAccuracy(name="accuracy"),
                 keras.metrics.TopKCategoricalAccuracy(top_k, name="top_k_accuracy")],
        jit_compile=setup.jit_compile,
    )


def make_callbacks(run, phase, phase_start, config, train_data, examples, epochs_done):
    callbacks = [
        batchnorm.BatchNormCalibration(train_data),
        monitoring.Throughput(examples),
        keras.callbacks.TerminateOnNaN(),
        monitoring.GeneralizationGapWarning(run.logs, "accuracy"),
        history.csv_logger(run.history, epochs_done),
        board.tensorboard(run.logs, config.train.profile_batches),
        checkpoint.BestModelCheckpoint(run.checkpoints / "best.keras", monitor="val_accuracy", mode="max"),
        checkpoint.ResumableCheckpoint(run.checkpoints, phase=phase.name, phase_start=phase_start),
    ]
    if config.train.early_stopping_patience > 0:
        callbacks.append(keras.callbacks.EarlyStopping("val_accuracy", patience=config.train.early_stopping_patience,
                                                       mode="max"))
    return callbacks


def train(config):
    config_dict = config_lib.to_dict(config)
    run, resumed = rundir.prepare_run(config.run.dir, config_dict, config.run.name or None)
    setup = device.setup(config.train.precision, config.train.jit_compile)
    set_seed(config.train.seed, config.train.deterministic)

    splits = data.read_splits(config.data, config.train.seed)
    size = data.image_size(config.data, splits.train_paths)
    train_data, val_data = data.training_datasets(config, splits, size)
    steps = math.ceil(len(splits.train_paths) / config.data.batch_size)
    momentum = config.model.batchnorm_momentum
    if momentum == "auto":
        momentum = sizing.batchnorm_momentum(steps)
    with setup.strategy.scope():
        model = build_model(config, splits.class_names, size, momentum)

    state = checkpoint.resume_state(run.checkpoints)
    epochs_done = state["epochs_done"] if state else 0
    print(f"{'resuming' if resumed else 'starting'} run {run.path} at epoch {epochs_done + 1}: "
          f"{len(splits.train_paths)} training / {len(splits.val_paths)} validation images, "
          f"{len(splits.class_names)} classes, {size}x{size} px, {config.model.backbone}, "
          f"{setup.precision}, {setup.replicas} replica(s)", flush=True)
    if not resumed:
        grid = board.image_grid(data.preview_batch(config, splits, size))
        board.log_image(run.logs / "images", "augmented_training_images", grid, png_path=run.file("augmented.png"))

    for phase, start in remaining_phases(phases(config), state):
        start = epochs_done if start is None else start
        with setup.strategy.scope():
            compile_for(model, phase, config, setup)
        callbacks = make_callbacks(run, phase, start, config, train_data, len(splits.train_paths), epochs_done)
        fitted = model.fit(train_data, validation_data=val_data, initial_epoch=epochs_done, epochs=start + phase.epochs,
                           class_weight=data.class_weights(config, splits), verbose=2, callbacks=callbacks)
        epochs_done += len(fitted.epoch)

    best = run.checkpoints / "best.keras"
    final = keras.saving.load_model(best) if best.is_file() else model
    with atomic_path(run.file("model.keras")) as temporary:
        final.save(temporary)
    metrics, confusion = evaluate.score(final, splits.val_paths, splits.val_labels, config)
    board.log_hparams(run.logs, config_lib.flatten(config_dict), metrics)
    evaluate.write_report(run, metrics, confusion, splits.class_names)  # metrics.json last: marks the run finished
    print(f"finished run {run.path}: val accuracy {metrics['accuracy']:.3f}", flush=True)
    return run, metrics
