"""Keras `fit` for the templates that train with it: phases, the shared callbacks, and the best model kept.

    data = FitData(train=train_batches, val=val_batches, examples=len(train_files))
    final = fit(session, task, config, model, data, plan_phases(config.train, pretrained), callbacks=[preview])

The phases of `runtime/phases.py` left after the run's last checkpoint run in order, so a killed run goes on in
the right phase at the right epoch. Each phase is compiled by `task.compile`; every epoch is validated, with
BatchNorm statistics re-estimated first, a warning when training and validation part ways, the CSV history,
TensorBoard, the best checkpoint and the resumable one. The best model is saved as the run's `model.keras`.
"""

import dataclasses
from typing import Any, Optional

import keras

from ..callbacks import batchnorm, checkpoint, history, monitoring
from ..callbacks import tensorboard as board
from .files import atomic_path
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
    history, TensorBoard, the best checkpoint by `val_<task.monitor>`, the resumable one, and early stopping when
    `train.early_stopping_patience` asks for it."""
    run, monitor = session.run, task.monitor
    callbacks = [
        batchnorm.BatchNormCalibration(data.train, batches=task.calibration_batches),
        monitoring.Throughput(data.examples),
        keras.callbacks.TerminateOnNaN(),
        monitoring.GeneralizationGapWarning(run.logs, task.gap_metric or monitor),
        history.csv_logger(run.history, session.epochs_done),
        board.tensorboard(run.logs, config.train.profile_batches),
        checkpoint.BestModelCheckpoint(run.checkpoints / "best.keras", monitor=f"val_{monitor}", mode="max"),
        checkpoint.ResumableCheckpoint(run.checkpoints, phase=phase.name, phase_start=phase_start),
    ]
    if config.train.early_stopping_patience > 0:
        callbacks.append(keras.callbacks.EarlyStopping(f"val_{monitor}", mode="max",
                                                       patience=config.train.early_stopping_patience))
    return callbacks


def fit(session, task, config, model, data, plan, callbacks=()):
    """Fits each phase of `plan` not yet done; returns the best model (or the last), saved as `model.keras`.

    `callbacks` are the template's own (pictures, metrics computed outside the graph); they run before the shared
    ones, whose logs they may fill. Epochs count across phases: a phase that stops early hands over at the epoch
    where it stopped.
    """
    state = checkpoint.resume_state(session.run.checkpoints)
    for phase, start in remaining_phases(plan, state):
        done = session.epochs_done
        start = done if start is None else start
        with session.setup.strategy.scope():
            task.compile(model, phase, config, data, session.setup.jit_compile)
        model.fit(data.train, validation_data=data.val, initial_epoch=done, epochs=start + phase.epochs, verbose=2,
                  callbacks=[*callbacks, *shared_callbacks(session, task, config, data, phase, start)],
                  class_weight=data.class_weight)
    best = session.run.checkpoints / "best.keras"
    final = keras.saving.load_model(best) if best.is_file() else model
    with atomic_path(session.run.file("model.keras")) as temporary:
        final.save(temporary)
    return final
