"""The training loop every template runs; the template supplies its data, model, loss and pictures.

    run, resumed, setup, config_dict = begin(config)
    ...                                           # the task's data and model
    final = fit_phases(model, run, plan, setup, compile_phase, train_data, val_data, callbacks_for)
    ...                                           # the task's metrics, then finish(run, config_dict, metrics)

`fit_phases` runs the phases of `runtime/phases.py` left after the run's last checkpoint, so a killed run
goes on in the right phase at the right epoch, and saves the best model as `model.keras`.
"""

import keras

from ..callbacks import batchnorm, checkpoint, history, monitoring
from ..callbacks import tensorboard as board
from . import config as config_lib
from . import device, rundir
from .files import atomic_path
from .phases import remaining_phases
from .seed import set_seed


def begin(config):
    """Run folder (new, or the unfinished one to resume), devices and precision, seeds.

    Returns `(run, resumed, setup, config_dict)`.
    """
    config_dict = config_lib.to_dict(config)
    run, resumed = rundir.prepare_run(config.run.dir, config_dict, config.run.name or None)
    setup = device.setup(config.train.precision, config.train.jit_compile)
    set_seed(config.train.seed, config.train.deterministic)
    return run, resumed, setup, config_dict


def epochs_done(run):
    state = checkpoint.resume_state(run.checkpoints)
    return state["epochs_done"] if state else 0


def standard_callbacks(run, phase, phase_start, epochs_so_far, train_config, train_data, examples, monitor,
                       calibration_batches=10, gap_metric=None):
    """BatchNorm re-estimated before validation, throughput, NaN guard, a warning when training and validation
    part ways on `gap_metric` (default: `monitor`), the CSV history, TensorBoard, the best checkpoint by
    `val_<monitor>`, the resumable one, and early stopping on `val_<monitor>` when
    `train.early_stopping_patience` asks for it."""
    callbacks = [
        batchnorm.BatchNormCalibration(train_data, batches=calibration_batches),
        monitoring.Throughput(examples),
        keras.callbacks.TerminateOnNaN(),
        monitoring.GeneralizationGapWarning(run.logs, gap_metric or monitor),
        history.csv_logger(run.history, epochs_so_far),
        board.tensorboard(run.logs, train_config.profile_batches),
        checkpoint.BestModelCheckpoint(run.checkpoints / "best.keras", monitor=f"val_{monitor}", mode="max"),
        checkpoint.ResumableCheckpoint(run.checkpoints, phase=phase.name, phase_start=phase_start),
    ]
    if train_config.early_stopping_patience > 0:
        callbacks.append(keras.callbacks.EarlyStopping(f"val_{monitor}", patience=train_config.early_stopping_patience,
                                                       mode="max"))
    return callbacks


def fit_phases(model, run, plan, setup, compile_phase, train_data, val_data, callbacks_for, **fit_options):
    """Fits each phase of `plan` not yet done; returns the best model (or the last), saved as `model.keras`.

    `compile_phase(model, phase)` compiles for a phase (inside the strategy's scope);
    `callbacks_for(phase, phase_start, epochs_so_far)` lists its callbacks. Epochs count across phases:
    a phase that stops early hands over at the epoch where it stopped.
    """
    state = checkpoint.resume_state(run.checkpoints)
    done = state["epochs_done"] if state else 0
    for phase, start in remaining_phases(plan, state):
        start = done if start is None else start
        with setup.strategy.scope():
            compile_phase(model, phase)
        fitted = model.fit(train_data, validation_data=val_data, initial_epoch=done, epochs=start + phase.epochs,
                           verbose=2, callbacks=callbacks_for(phase, start, done), **fit_options)
        done += len(fitted.epoch)
    best = run.checkpoints / "best.keras"
    final = keras.saving.load_model(best) if best.is_file() else model
    with atomic_path(run.file("model.keras")) as temporary:
        final.save(temporary)
    return final


def finish(run, config_dict, metrics):
    """The run's knobs and final metrics to TensorBoard's HParams dashboard, to compare runs side by side."""
    board.log_hparams(run.logs, config_lib.flatten(config_dict), metrics)
