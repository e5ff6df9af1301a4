"""Keras `fit` for the templates that train with it: phases, the shared callbacks, and the best model kept.

    data = FitData(train=train_batches, val=val_batches, examples=len(train_files))
    final = fit(session, task, config, model, data, plan_phases(config.train, pretrained), callbacks=[preview])

The phases of `runtime/phases.py` left after the run's last checkpoint run in order, so a killed run goes on in
the right phase at the right epoch. Each phase is compiled by `task.compile`; every epoch is validated, with
BatchNorm statistics re-estimated first, a warning when training and validation part ways, the CSV history,
TensorBoard (with the learning rate of each step), the best checkpoint and the resumable one. The learning rate
follows `train.schedule` (`runtime/optimizers.py`) within each phase. The best model is saved as the run's
`model.keras`.
"""

import dataclasses
import warnings
from typing import Any, Optional

import keras

from ..callbacks import batchnorm, checkpoint, history, learning_rate, monitoring
from ..callbacks import tensorboard as board
from . import device, processes, progress
from .files import atomic_path
from .optimizers import phase_learning_rate
from .phases import remaining_phases


@dataclasses.dataclass(kw_only=True)
class FitData:
    """What `fit` trains on. A template's data subclasses it with what its model, loss and pictures need.

    Attributes:
        train: batches of `(inputs, targets)` or `(inputs, targets, sample weights)`, augmented and shuffled.
        val: validation batches, the same shape, not augmented.
        examples: training examples per epoch, for the throughput figure.
        class_weight: `fit`'s `class_weight` (class index -> weight), or None.
    """

    train: Any
    val: Any
    examples: int
    class_weight: Optional[dict] = None


def shared_callbacks(session, task, config, data, phase, phase_start):
    """BatchNorm re-estimated before validation, throughput, NaN guard, the train/validation gap warning, the CSV
    history, TensorBoard with the learning rate of every step, the learning rate halved on a plateau when
    `train.schedule` asks for it, the best checkpoint by `val_<task.monitor>`, the resumable one, and early stopping
    when `train.early_stopping_patience` asks for it (not in the first `train.early_stopping_start` epochs)."""
    run, monitor, mode = session.run, task.monitor, task.monitor_mode
    patience = []  # counts of epochs without a gain, which the resumable checkpoint carries across a resume
    if config.train.schedule == "plateau":
        patience.append(
            keras.callbacks.ReduceLROnPlateau(
                f"val_{monitor}",
                mode=mode,
                factor=0.5,
                patience=config.train.plateau_patience,
                min_delta=config.train.min_delta,
                verbose=0,
            )
        )
    if config.train.early_stopping_patience > 0:
        patience.append(
            monitoring.EarlyStopping(
                f"val_{monitor}",
                mode=mode,
                patience=config.train.early_stopping_patience,
                min_delta=config.train.min_delta,
                start_from_epoch=config.train.early_stopping_start,
            )
        )
    return [
        batchnorm.BatchNormCalibration(data.train, batches=task.calibration_batches),
        monitoring.Throughput(data.examples),
        progress.EpochLines(),
        keras.callbacks.TerminateOnNaN(),
        monitoring.GeneralizationGapWarning(run.logs, task.gap_metric or monitor),
        history.csv_logger(run.history, session.epochs_done),
        board.tensorboard(run.logs, config.train.profile_batches, data.train.element_spec[0]),
        learning_rate.LearningRateLogger(run.logs),
        *patience,  # before the checkpoint, which saves the learning rate they halve and their counts
        checkpoint.BestModelCheckpoint(run.checkpoints / "best.keras", monitor=f"val_{monitor}", mode=mode),
        checkpoint.ResumableCheckpoint(run.checkpoints, phase=phase.name, phase_start=phase_start, patience=patience),
    ]


def fit(session, task, config, model, data, plan, callbacks=()):
    """Fits each phase of `plan` not yet done; returns the best model (or the last), saved as `model.keras`.

    `callbacks` are the template's own (pictures, metrics computed outside the graph); they run before the shared
    ones, whose logs they may fill. Epochs count across phases: a phase that stops early hands over at the epoch
    where it stopped.
    """
    data = dataclasses.replace(data, train=device.even_batches(data.train), val=device.even_batches(data.val))
    state = checkpoint.resume_state(session.run.checkpoints)
    for phase, start in remaining_phases(plan, state):
        done = session.epochs_done
        start = done if start is None else start
        if config.train.schedule == "cosine":  # the schedule's length is counted in optimizer steps
            phase = dataclasses.replace(
                phase, learning_rate=phase_learning_rate(config.train, phase, steps_per_epoch(data.train))
            )
        with session.setup.scope():
            task.compile(model, phase, config, data, session.setup.jit_compile)
        model.fit(
            device.process_share(data.train),
            validation_data=device.process_share(data.val),
            initial_epoch=done,
            epochs=start + phase.epochs,
            shuffle=False,  # the tf.data pipeline shuffles; Keras' default True only warns that it cannot
            verbose=progress.verbosity(),
            callbacks=[*callbacks, *shared_callbacks(session, task, config, data, phase, start)],
            class_weight=data.class_weight,
        )
    best = session.run.checkpoints / "best.keras"
    final = load_best(best) if best.is_file() else model
    with atomic_path(session.run.file("model.keras")) as temporary:
        final.save(temporary)
    processes.agree_on_weights(final)
    return final


def load_best(path):
    """The best checkpoint, compiled as it trained. A model whose class defines its own `compile` (keras-hub's
    language models) reloads uncompiled, and Keras warns twice that it did and that the optimizer's variables had
    nowhere to go: true, and nothing is lost, since the best model is scored and saved, never trained on."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"`compile\(\)` was not called as part of model loading")
        warnings.filterwarnings("ignore", message=r"Skipping variable loading for optimizer")
        return keras.saving.load_model(path)


def steps_per_epoch(batches):
    """Batches in one epoch of `batches`: its cardinality, or, when the pipeline cannot know it, one pass counted."""
    known = int(batches.cardinality())
    return known if known >= 0 else sum(1 for _ in batches)
