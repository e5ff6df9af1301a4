"""Checkpoints: a resumed fit continues with the same weights and optimizer state; files are atomic."""

import json
import os

import keras
import numpy as np
import pytest
from shared.callbacks.checkpoint import (
    BestModelCheckpoint,
    CheckpointMismatch,
    ResumableCheckpoint,
    fingerprint,
    recover,
    resume_state,
)
from shared.runtime.errors import UserError
from shared.runtime.files import atomic_path, remove_abandoned


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
    assert resume_state(tmp_path) == {
        "epochs_done": 2,
        "weights": "epoch-0002.weights.h5",
        "phase": "train",
        "phase_start": 0,
        "stopped_early": False,
        "patience": {},
        "files": {"epoch-0002.weights.h5": fingerprint(tmp_path / "epoch-0002.weights.h5")},
    }
    # the checkpoint before the newest stays until the next one is complete
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "epoch-0001.weights.h5",
        "epoch-0002.weights.h5",
        "state.json",
        "state.previous.json",
    ]

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
    model.fit(
        x,
        y,
        epochs=10,
        initial_epoch=3,
        verbose=0,
        callbacks=[stop, ResumableCheckpoint(tmp_path, phase="finetune", phase_start=3)],
    )
    state = resume_state(tmp_path)
    assert {key: state[key] for key in ("epochs_done", "weights", "phase", "phase_start", "stopped_early")} == {
        "epochs_done": 5,
        "weights": "epoch-0005.weights.h5",
        "phase": "finetune",
        "phase_start": 3,
        "stopped_early": True,
    }
    assert sorted(path.name for path in tmp_path.glob("*.h5")) == ["epoch-0004.weights.h5", "epoch-0005.weights.h5"]


def test_best_checkpoint_keeps_only_improvements(tmp_path):
    model = tiny_model()
    best = BestModelCheckpoint(tmp_path / "best.keras", monitor="val_loss", mode="min")
    best.set_model(model)
    best.on_epoch_end(0, {"val_loss": 2.0})
    best.on_epoch_end(1, {"val_loss": 3.0})
    record = json.loads((tmp_path / "best.json").read_text())
    assert record == {"monitor": "val_loss", "value": 2.0, "epoch": 1, "file": fingerprint(tmp_path / "best.keras")}
    best.on_epoch_end(2, {"val_loss": 1.0})
    assert json.loads((tmp_path / "best.json").read_text())["epoch"] == 3
    assert BestModelCheckpoint(tmp_path / "best.keras").best == 1.0  # survives a restart
    keras.saving.load_model(tmp_path / "best.keras", compile=False)


def test_a_failed_write_leaves_the_old_file(tmp_path):
    target = tmp_path / "state.json"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as temporary:
            temporary.write_text("half")
            raise RuntimeError("killed")
    assert target.read_text() == "old"
    assert [path.name for path in tmp_path.iterdir()] == ["state.json"]


def three_epochs(directory):
    """A model trained 3 epochs with a checkpoint after each, and its weights after epoch 2."""
    x, y = data()
    model = tiny_model()
    model.fit(x, y, epochs=2, verbose=0, callbacks=[ResumableCheckpoint(directory)])
    after_two = model.get_weights()
    model.fit(x, y, epochs=3, initial_epoch=2, verbose=0, callbacks=[ResumableCheckpoint(directory)])
    return after_two


def folder_bytes(directory):
    return {path.name: path.read_bytes() for path in directory.iterdir()}


@pytest.mark.parametrize("damage", ["truncate weights", "flip a byte of the weights", "truncate state.json"])
def test_a_damaged_newest_checkpoint_is_named_and_the_one_before_resumes(tmp_path, capsys, damage):
    after_two = three_epochs(tmp_path)
    weights, state = tmp_path / "epoch-0003.weights.h5", tmp_path / "state.json"
    damaged = state if "state" in damage else weights
    data_ = bytearray(damaged.read_bytes())
    if damage.startswith("flip"):
        data_[len(data_) // 2] ^= 0xFF
    else:
        data_ = data_[: len(data_) // 2]
    damaged.write_bytes(bytes(data_))

    assert recover(tmp_path)["epochs_done"] == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("warning: checkpoint") and str(damaged) in line and "after epoch 2" in line
    model = tiny_model()
    model.fit(*data(), epochs=2, initial_epoch=2, verbose=0, callbacks=[ResumableCheckpoint(tmp_path)])
    for expected, restored in zip(after_two, model.get_weights(), strict=True):
        np.testing.assert_allclose(restored, expected)
    assert recover(tmp_path)["epochs_done"] == 2 and not capsys.readouterr().err  # repaired: said once


def test_no_usable_checkpoint_stops_in_one_line_and_changes_nothing(tmp_path):
    three_epochs(tmp_path)
    for name in ("epoch-0002.weights.h5", "epoch-0003.weights.h5"):
        (tmp_path / name).write_bytes(b"")
    before = folder_bytes(tmp_path)
    with pytest.raises(UserError, match="epoch-0003.weights.h5 is damaged.*epoch-0002.weights.h5 is damaged"):
        recover(tmp_path)
    assert folder_bytes(tmp_path) == before


def test_a_checkpoint_of_another_model_is_a_mismatch_naming_its_file(tmp_path):
    x, y = data()
    tiny_model().fit(x, y, epochs=1, verbose=0, callbacks=[ResumableCheckpoint(tmp_path)])
    wider = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5), keras.layers.Dense(1)])
    wider.compile(keras.optimizers.Adam(0.01), "mse")
    with pytest.raises(CheckpointMismatch, match="epoch-0001.weights.h5 does not fit this config's model"):
        wider.fit(x, y, epochs=2, initial_epoch=1, verbose=0, callbacks=[ResumableCheckpoint(tmp_path)])


def test_a_damaged_best_model_is_replaced_by_the_next_epochs(tmp_path, capsys):
    model = tiny_model()
    best = BestModelCheckpoint(tmp_path / "best.keras", monitor="val_loss", mode="min")
    best.set_model(model)
    best.on_epoch_end(0, {"val_loss": 1.0})
    (tmp_path / "best.keras").write_bytes((tmp_path / "best.keras").read_bytes()[:100])
    resumed = BestModelCheckpoint(tmp_path / "best.keras", monitor="val_loss", mode="min")
    assert resumed.best is None and "best.keras is damaged" in capsys.readouterr().err
    resumed.set_model(model)
    resumed.on_epoch_end(1, {"val_loss": 3.0})
    keras.saving.load_model(tmp_path / "best.keras", compile=False)


def test_temporary_files_of_killed_writers_are_removed_and_live_ones_kept(tmp_path):
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(gone.stdout)
    (tmp_path / "checkpoints").mkdir()
    abandoned = tmp_path / "checkpoints" / f".tmp-{dead}-best.keras"
    abandoned.write_bytes(b"x" * 1000)
    live = tmp_path / f".tmp-{os.getpid()}-model.keras"
    live.write_bytes(b"y")
    assert remove_abandoned(tmp_path) == 1000
    assert not abandoned.exists() and live.exists()
