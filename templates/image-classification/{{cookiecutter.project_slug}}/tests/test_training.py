import csv
import json
import subprocess
import sys

import keras
import numpy as np

from {{ cookiecutter.package_name }}.callbacks.tensorboard import summary_tags
from {{ cookiecutter.package_name }}.config import load
from {{ cookiecutter.package_name }}.runtime import training
from {{ cookiecutter.package_name }}.task import ImageClassification


def train(config):
    return training.train(ImageClassification(), config)


def tiny_config(sample_dir, runs_dir, *overrides):
    return load(
        "configs/default.yaml",
        [
            f"data.dir={sample_dir}",
            f"run.dir={runs_dir}",
            "data.batch_size=16",
            "data.image_size=32",
            "model.blocks=[{filters: 8}, {filters: 16}]",
            "train.precision=float32",
            *overrides,
        ],
    )


def epochs_in(history):
    with open(history, newline="") as handle:
        return [int(row["epoch"]) for row in csv.DictReader(handle)]


def test_training_writes_a_complete_run_and_the_loss_falls(sample_dir, tmp_path, capfd):
    run, metrics = train(tiny_config(sample_dir, tmp_path, "train.epochs=4", "train.learning_rate=0.003"))
    printed = capfd.readouterr()  # as a pipe gets it: fit's progress in plain lines, no bar redrawn
    assert "Epoch 4/4" in printed.out
    assert not {"\b", "\r", "\x1b"} & set(printed.out + printed.err)
    with open(run.history, newline="") as handle:
        losses = [float(row["loss"]) for row in csv.DictReader(handle)]
    assert epochs_in(run.history) == [0, 1, 2, 3]
    assert losses[-1] < losses[0]
    assert json.loads(run.metrics.read_text()) == metrics
    assert 0.0 <= metrics["accuracy"] <= 1.0
    for name in ("config.yaml", "model.keras", "confusion_matrix.png", "augmented.png"):
        assert run.file(name).is_file(), name
    tags = {tag for tag, _ in summary_tags(run.logs)}
    assert {"epoch_loss", "epoch_val_loss", "epoch_accuracy", "epoch_val_accuracy", "epoch_learning_rate"} <= tags
    assert "epoch_examples_per_second" in tags
    assert {"augmented_training_images", "confusion_matrix", "final/accuracy"} <= tags
    assert ("_hparams_/session_start_info", "hparams") in summary_tags(run.logs)  # the HParams dashboard


def test_a_named_unfinished_run_resumes_at_its_next_epoch(sample_dir, tmp_path):
    config = tiny_config(sample_dir, tmp_path, "train.epochs=2", "run.name=resumed")
    run, _ = train(config)
    run.metrics.unlink()  # as if killed after its second epoch
    config.train.epochs = 3
    train(config)
    assert epochs_in(run.history) == [0, 1, 2]


def test_transfer_phases_train_head_then_finetune(sample_dir, tmp_path):
    source, _ = train(tiny_config(sample_dir, tmp_path, "train.epochs=1", "run.name=source"))
    # A frozen backbone and a learning rate of 0 never improve val_accuracy: the head phase stops after
    # 2 of its 5 epochs, and fine-tuning starts at the third epoch, not the sixth.
    run, _ = train(
        tiny_config(
            sample_dir,
            tmp_path,
            f"model.weights={source.file('model.keras')}",
            "train.epochs=5",
            "train.learning_rate=0",
            "train.early_stopping_patience=1",
            "train.finetune_epochs=1",
            "run.name=transfer",
        )
    )
    assert epochs_in(run.history) == [0, 1, 2]
    state = json.loads((run.checkpoints / "state.json").read_text())
    assert set(state.pop("files")) == {"epoch-0003.weights.h5"}
    assert set(state.pop("patience")) == {"EarlyStopping"}  # its count of epochs without a gain, for a resume
    assert state == {
        "epochs_done": 3,
        "weights": "epoch-0003.weights.h5",
        "phase": "finetune",
        "phase_start": 2,
        "stopped_early": False,
    }


def test_a_deterministic_rerun_repeats_bit_for_bit(sample_dir, tmp_path):
    # Each run in its own process: determinism, once on, stays on for the process. Rotation and zoom stay on,
    # so random layers run inside the tf.data map, the usual source of differences between reruns.
    for name in ("first", "second"):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "{{ cookiecutter.package_name }}",
                "train",
                f"data.dir={sample_dir}",
                f"run.dir={tmp_path}",
                f"run.name={name}",
                "data.batch_size=16",
                "data.image_size=32",
                "model.blocks=[{filters: 8}, {filters: 16}]",
                "train.precision=float32",
                "train.epochs=2",
                "train.deterministic=true",
                "augment.rotation=0.1",
                "augment.zoom=0.1",
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr[-3000:]
    first, second = (keras.saving.load_model(tmp_path / name / "model.keras") for name in ("first", "second"))
    for before, again in zip(first.get_weights(), second.get_weights(), strict=True):
        np.testing.assert_array_equal(before, again)
