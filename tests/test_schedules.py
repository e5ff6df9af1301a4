"""Learning-rate schedules: warm-up then cosine decay, halving on a plateau, each continued exactly by a resume."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from shared.callbacks.tensorboard import summary_tags
from shared.runtime import device, rundir, settings
from shared.runtime.fitting import FitData, fit
from shared.runtime.optimizers import current_learning_rate, make_optimizer, phase_learning_rate
from shared.runtime.phases import Phase
from shared.runtime.task import FitTask
from shared.runtime.training import Session

EPOCHS, STEPS = 4, 8


@keras.saving.register_keras_serializable("test_schedules")
def negative_squared_error(targets, predictions):
    return -keras.ops.mean((targets - predictions) ** 2)


class Regression(FitTask):
    """The smallest task `fit` trains: a linear model whose "accuracy" is the negative mean squared error."""

    name, description, monitor = "regression", "test", "score"
    help = dict.fromkeys(("sample-data", "evaluate", "predict", "export"), "")
    load_config = write_sample_data = read_data = train = evaluate = predict = export = example_model = None

    def compile(self, model, phase, config, data, jit_compile):
        score = keras.metrics.MeanMetricWrapper(negative_squared_error, name="score")
        model.compile(make_optimizer(config.train.optimizer, phase.learning_rate), "mse", metrics=[score])


class Config:
    def __init__(self, **train):
        self.train = settings.Train(epochs=EPOCHS, progress="epochs", **train)
        self.train.validate()


def batches(sign=1.0):
    """Linear data; `sign` -1: the opposite relation, on which the validation score only falls as training goes on."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(STEPS * 8, 3)).astype("float32")
    y = x @ np.array([[sign], [-2.0 * sign], [0.5 * sign]], "float32")
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(8)


class StopAt(keras.callbacks.Callback):
    """Stands for a kill: ends the process' training as epoch `epoch` (0-based) begins, after the checkpoints."""

    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epoch:
            raise KeyboardInterrupt


def train(path, config, interrupt_at=None):
    """Fits a fresh model in run folder `path` (resuming what is there); returns it."""
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    setup = device.Setup(precision="float32", jit_compile=False, strategy=tf.distribute.get_strategy())
    session = Session(rundir.Run(path), resumed=path.exists(), setup=setup)
    path.mkdir(exist_ok=True)
    data = FitData(train=batches(), val=batches(sign=-1.0), examples=STEPS * 8)
    callbacks = [StopAt(interrupt_at)] if interrupt_at is not None else []
    plan = [Phase("scratch", config.train.epochs, config.train.learning_rate)]
    try:
        fit(session, Regression(), config, model, data, plan, callbacks=callbacks)
    except KeyboardInterrupt:
        pass
    return model


def learning_rate_curve(run):
    """`{step: learning rate}` of the per-step scalars in `run`'s TensorBoard files."""
    curve = {}
    for events in sorted((run / "logs").rglob("events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(str(events)):
            for value in event.summary.value:
                if value.tag == "batch_learning_rate":
                    curve[event.step] = float(tf.make_ndarray(value.tensor))
    return curve


def test_cosine_warms_up_to_the_peak_then_decays_towards_zero():
    train = settings.Train(schedule="cosine", warmup_epochs=1.0, learning_rate=0.01)
    schedule = phase_learning_rate(train, Phase("scratch", 10, 0.01), steps_per_epoch=20)
    rates = [float(schedule(step)) for step in (0, 10, 20, 110, 199)]
    assert rates[0] == pytest.approx(0.01 / 20)  # the first step already learns
    assert rates[1] == pytest.approx(0.0005 + (0.01 - 0.0005) / 2, rel=1e-5)  # linear, half-way
    assert rates[2] == pytest.approx(0.01)  # the peak, at the end of the warm-up epoch
    assert rates[3] == pytest.approx(0.005, rel=1e-5)  # half-way through the decay: half the peak
    assert 0 < rates[4] < 0.0001


def test_constant_and_plateau_give_the_phase_learning_rate_itself():
    for schedule in ("constant", "plateau"):
        train = settings.Train(schedule=schedule)
        assert phase_learning_rate(train, Phase("head", 3, 0.003), steps_per_epoch=5) == 0.003


def test_warmup_without_cosine_is_a_mistake():
    with pytest.raises(ValueError, match="train.warmup_epochs"):
        settings.Train(schedule="constant", warmup_epochs=1.0).validate()


@pytest.mark.parametrize("schedule", ["cosine", "plateau"])
def test_a_resumed_run_continues_the_schedule_of_the_uninterrupted_one(tmp_path, schedule):
    knobs = {"schedule": schedule, "learning_rate": 0.05}
    knobs.update({"warmup_epochs": 1.0} if schedule == "cosine" else {"plateau_patience": 1})
    whole = train(tmp_path / "whole", Config(**knobs))
    train(tmp_path / "killed", Config(**knobs), interrupt_at=2)
    resumed = train(tmp_path / "killed", Config(**knobs))

    assert int(resumed.optimizer.iterations) == int(whole.optimizer.iterations) == EPOCHS * STEPS
    assert current_learning_rate(resumed.optimizer) == pytest.approx(current_learning_rate(whole.optimizer))
    np.testing.assert_allclose(resumed.get_weights()[0], whole.get_weights()[0], rtol=1e-5)
    curve, resumed_curve = learning_rate_curve(tmp_path / "whole"), learning_rate_curve(tmp_path / "killed")
    assert sorted(curve) == sorted(resumed_curve) == list(range(EPOCHS * STEPS))
    assert resumed_curve == pytest.approx(curve)
    if schedule == "cosine":
        assert curve[STEPS] == pytest.approx(0.05)  # the peak, after a warm-up epoch
        assert curve[0] < curve[STEPS] and curve[EPOCHS * STEPS - 1] < curve[STEPS] / 10
    else:
        # validation falls from the first epoch on: halved after the 2nd (before the kill) and the 3rd
        assert [curve[epoch * STEPS] for epoch in range(EPOCHS)] == pytest.approx([0.05, 0.05, 0.025, 0.0125])


def test_plateau_halves_the_learning_rate_when_validation_stalls(tmp_path):
    model = train(tmp_path / "run", Config(schedule="plateau", plateau_patience=2, learning_rate=0.05))
    assert current_learning_rate(model.optimizer) == pytest.approx(0.025)  # after epochs 2 and 3 without a gain
    assert ("batch_learning_rate", "scalars") in summary_tags(tmp_path / "run" / "logs")


@pytest.mark.parametrize(("start", "epochs_run"), [(0, 2), (1, 3)])
def test_early_stopping_leaves_out_the_first_early_stopping_start_epochs(tmp_path, capsys, start, epochs_run):
    # The validation score falls every epoch: the first epoch watched is the best, and the next one stops the run.
    model = train(tmp_path / "run", Config(early_stopping_patience=1, early_stopping_start=start))
    assert int(model.optimizer.iterations) == epochs_run * STEPS
    message = f"stopped early after epoch {epochs_run}: no better val_score for 1 epoch (train.early_stopping_patience)"
    assert message in capsys.readouterr().out.splitlines()


def test_a_negative_early_stopping_start_is_a_mistake():
    with pytest.raises(ValueError, match="train.early_stopping_start is -1"):
        settings.Train(early_stopping_start=-1).validate()
