"""history.csv written by a loop of its own: one row per epoch, across kills and resumes; scalars at any step."""

import csv
import os

import numpy as np
import pytest
from shared.callbacks.history import append_row, keep_epochs_before
from shared.callbacks.tensorboard import ScalarWriter, summary_tags


def rows(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_rows_of_epochs_trained_again_are_dropped_and_half_rows_with_them(tmp_path):
    path = tmp_path / "history.csv"
    for epoch in range(3):
        append_row(path, {"epoch": epoch, "eval_return": 10.0 * epoch})
    with open(path, "a") as handle:
        handle.write("3,4")  # a kill in the middle of epoch 3's row, before its checkpoint
    keep_epochs_before(path, 2)  # the last checkpoint was after epoch 2 (epochs 0 and 1)
    append_row(path, {"epoch": 2, "eval_return": 25.0})
    assert [(row["epoch"], row["eval_return"]) for row in rows(path)] == [("0", "0.0"), ("1", "10.0"), ("2", "25.0")]


def test_the_history_is_rewritten_atomically_or_not_at_all(tmp_path, monkeypatch):
    """A second kill while a resume drops rows must not empty the history: the rows land in one rename."""
    path = tmp_path / "history.csv"
    for epoch in range(3):
        append_row(path, {"epoch": epoch, "eval_return": 10.0 * epoch})
    before = path.read_bytes()

    def killed(*args):
        raise KeyboardInterrupt  # the moment of the rename

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        keep_epochs_before(path, 1)
    assert path.read_bytes() == before
    assert [path.name for path in tmp_path.iterdir()] == ["history.csv"]
    monkeypatch.undo()
    keep_epochs_before(path, 1)
    assert [row["epoch"] for row in rows(path)] == ["0"]


def test_keeping_epochs_of_a_run_without_history_is_no_error(tmp_path):
    keep_epochs_before(tmp_path / "history.csv", 0)
    assert not (tmp_path / "history.csv").exists()


def test_scalars_and_images_land_at_their_steps(tmp_path):
    board = ScalarWriter(tmp_path)
    board.scalars({"episode/return": 21.0, "train/loss": 0.5}, step=1500)
    board.image("returns", np.zeros((8, 8, 3), np.uint8), step=2)
    board.flush()
    assert {tag for tag, _ in summary_tags(tmp_path)} == {"episode/return", "train/loss", "returns"}
