"""Training, read top to bottom: run folder, devices, seed, data, model, phases, callbacks, fit, report.

Transfer learning runs in two phases in one run: phase 1 trains a new head on the frozen backbone,
phase 2 unfreezes the backbone's top layers at a lower learning rate. Without pretrained weights
there is one phase in which every layer trains. Epochs are counted across phases (a phase that
stops early hands over at the epoch it stopped), so a killed run resumes in the right phase at the
right epoch.
"""

import keras

from . import data, evaluate
from .callbacks import tensorboard as board
from .model import build_model, set_trainable
from .runtime import sizing, training
from .runtime.phases import make_optimizer, plan_phases


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


def train(config):
    run, resumed, setup, config_dict = training.begin(config)

    splits = data.read_splits(config.data, config.train.seed)
    size = data.image_size(config.data, splits.train_paths)
    train_data, val_data = data.training_datasets(config, splits, size)
    momentum = sizing.configured_batchnorm_momentum(config.model.batchnorm_momentum, len(splits.train_paths),
                                                    config.data.batch_size)
    with setup.strategy.scope():
        model = build_model(config, splits.class_names, size, momentum)

    print(f"{'resuming' if resumed else 'starting'} run {run.path} at epoch {training.epochs_done(run) + 1}: "
          f"{len(splits.train_paths)} training / {len(splits.val_paths)} validation images, "
          f"{len(splits.class_names)} classes, {size}x{size} px, {config.model.backbone}, "
          f"{setup.precision}, {setup.replicas} replica(s)", flush=True)
    if not resumed:
        grid = board.image_grid(data.preview_batch(config, splits, size))
        board.log_image(run.logs / "images", "augmented_training_images", grid, png_path=run.file("augmented.png"))

    def callbacks_for(phase, phase_start, epochs_so_far):
        return training.standard_callbacks(run, phase, phase_start, epochs_so_far, config.train, train_data,
                                           len(splits.train_paths), "accuracy")

    final = training.fit_phases(model, run, plan_phases(config.train, config.pretrained), setup,
                                lambda model, phase: compile_for(model, phase, config, setup),
                                train_data, val_data, callbacks_for, class_weight=data.class_weights(config, splits))
    metrics, confusion = evaluate.score(final, splits.val_paths, splits.val_labels, config)
    training.finish(run, config_dict, metrics)
    evaluate.write_report(run, metrics, confusion, splits.class_names)  # metrics.json last: marks the run finished
    print(f"finished run {run.path}: val accuracy {metrics['accuracy']:.3f}", flush=True)
    return run, metrics
