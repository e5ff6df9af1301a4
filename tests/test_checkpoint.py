"""Checkpoints: a resumed fit continues with the same weights and optimizer state; files are atomic."""

import json

import keras
import numpy as np
import pytest
from shared.callbacks.checkpoint import BestModelCheckpoint, ResumableCheckpoint, resume_state
from shared.runtime.files import atomic_path


def tiny_model():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(0.01), "mse")
    return model


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    return x, x.sum(axis=1, keepdims=True)


def test_resume_restores_weights_and_optimizer_state(tmp_path):
    keras.utils.set_random_seed(1)
    x, y = data()
    first = tiny_model()
    first.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0, callbacks=[ResumableCheckpoint(tmp_path)])
    assert resume_state(tmp_path) == {"epochs_done": 2, "weights": "epoch-0002.weights.h5", "phase": "train",
                                      "phase_start": 0, "stopped_early": False}
    assert sorted(path.name for path in tmp_path.iterdir()) == ["epoch-0002.weights.h5", "state.json"]

    second = tiny_model()
    callback = ResumableCheckpoint(tmp_path)
    second.fit(x, y, epochs=2, initial_epoch=2, batch_size=16, verbose=0, callbacks=[callback])  # restores, no steps
    for expected, restored in zip(first.get_weights(), second.get_weights(), strict=True):
        np.testing.assert_allclose(restored, expected)
    assert int(second.optimizer.iterations) == int(first.optimizer.iterations) == 8
    for expected, restored in zip(first.optimizer.variables, second.optimizer.variables, strict=True):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(restored), keras.ops.convert_to_numpy(expected))


def test_another_phase_restores_weights_only(tmp_path):
    x, y = data()
    first = tiny_model()
    first.fit(x, y, epochs=1, verbose=0, callbacks=[ResumableCheckpoint(tmp_path, phase="head")])
    second = tiny_model()
    second.compile(keras.optimizers.Adam(0.5), "mse")
    second.fit(x, y, epochs=1, initial_epoch=1, verbose=0, callbacks=[ResumableCheckpoint(tmp_path, phase="finetune")])
    np.testing.assert_allclose(second.get_weights()[0], first.get_weights()[0])
    assert float(second.optimizer.learning_rate) == pytest.approx(0.5)


def test_an_early_stop_is_recorded(tmp_path):
    x, y = data()
    model = tiny_model()
    model.compile(keras.optimizers.Adam(0.0), "mse")  # the loss never improves
    # min_delta: the epoch loss, summed in another batch or thread order, can "improve" by rounding alone
    stop = keras.callbacks.EarlyStopping("loss", patience=1, min_delta=1e-6)
    model.fit(x, y, epochs=10, initial_epoch=3, verbose=0,
              callbacks=[stop, ResumableCheckpoint(tmp_path, phase="finetune", phase_start=3)])
    assert resume_state(tmp_path) == {"epochs_done": 5, "weights": "epoch-0005.weights.h5", "phase": "finetune",
                                      "phase_start": 3, "stopped_early": True}


def test_best_checkpoint_keeps_only_improvements(tmp_path):
    model = tiny_model()
    best = BestModelCheckpoint(tmp_path / "best.keras", monitor="val_loss", mode="min")
    best.set_model(model)
    best.on_epoch_end(0, {"val_loss": 2.0})
    best.on_epoch_end(1, {"val_loss": 3.0})
    assert json.loads((tmp_path / "best.json").read_text()) == {"monitor": "val_loss", "value": 2.0, "epoch": 1}
    best.on_epoch_end(2, {"val_loss": 1.0})
    assert json.loads((tmp_path / "best.json").read_text())["epoch"] == 3
    assert BestModelCheckpoint(tmp_path / "best.keras").best == 1.0  # survives a restart
    keras.saving.load_model(tmp_path / "best.keras")


def test_a_failed_write_leaves_the_old_file(tmp_path):
    target = tmp_path / "state.json"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as temporary:
            temporary.write_text("half")
            raise RuntimeError("killed")
    assert target.read_text() == "old"
    assert [path.name for path in tmp_path.iterdir()] == ["state.json"]
