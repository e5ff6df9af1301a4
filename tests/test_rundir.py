"""Run folders: made only for a run that gets going, and a run without its model says how to finish it."""

import json

import pytest
from shared.runtime import rundir
from shared.runtime.errors import UserError

CONFIG = {"model": {"blocks": 3}, "train": {"epochs": 5}}


def test_a_new_run_that_fails_before_its_first_checkpoint_leaves_no_folder(tmp_path):
    with pytest.raises(UserError):
        with rundir.run_folder(tmp_path, CONFIG) as (run, resumed):
            assert run.config_file.is_file() and not resumed
            raise UserError("the model cannot be built for this image size")
    assert list(tmp_path.iterdir()) == []


def test_a_resumed_run_that_fails_keeps_every_file(tmp_path):
    run, _ = rundir.prepare_run(tmp_path, CONFIG, "kept")
    (run.checkpoints / "state.json").write_text('{"epochs_done": 1, "files": {}}')
    before = {path: path.read_bytes() for path in run.path.rglob("*") if path.is_file()}
    with pytest.raises(UserError):
        with rundir.run_folder(tmp_path, CONFIG, "kept") as (_, resumed):
            assert resumed
            raise UserError("a config that no longer fits")
    assert {path: path.read_bytes() for path in run.path.rglob("*") if path.is_file()} == before


def test_a_users_own_folder_named_as_the_run_is_not_removed(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(UserError):
        with rundir.run_folder(tmp_path, CONFIG, "mine"):
            raise UserError("bad data")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_the_settings_that_changed_are_named(tmp_path):
    run, _ = rundir.prepare_run(tmp_path, CONFIG, "changed")
    changed = {"model": {"blocks": 4}, "train": {"epochs": 5}}
    assert rundir.changed_settings(run, changed) == ["model.blocks 3 -> 4"]


def test_a_run_without_its_model_says_how_to_finish_it(tmp_path):
    run, _ = rundir.prepare_run(tmp_path, CONFIG, "killed")
    (run.checkpoints / "state.json").write_text(json.dumps({"epochs_done": 2, "files": {}}))
    (run.checkpoints / "best.keras").write_bytes(b"")
    with pytest.raises(UserError) as error:
        rundir.trained_model(run)
    message = str(error.value)
    assert "has no model.keras" in message and "stopped after epoch 2" in message
    assert "run.name=killed" in message and "best.keras" in message
    (run.path / "model.keras").write_bytes(b"")
    assert rundir.trained_model(run) == run.path / "model.keras"
