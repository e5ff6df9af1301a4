import csv
import json

import keras
import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }} import data
from {{ cookiecutter.package_name }}.callbacks.tensorboard import summary_tags
from {{ cookiecutter.package_name }}.config import load
from {{ cookiecutter.package_name }}.model import encoder_layers
from {{ cookiecutter.package_name }}.runtime import training
from {{ cookiecutter.package_name }}.task import Segmentation


def train(config):
    return training.train(Segmentation(), config)


def tiny_config(sample_dir, runs_dir, *overrides):
    return load(
        "configs/default.yaml",
        [
            f"data.images_dir={sample_dir}/images",
            f"data.masks_dir={sample_dir}/masks",
            f"run.dir={runs_dir}",
            "data.batch_size=8",
            "data.image_size=32",
            "model.filters=[8, 16]",
            "train.precision=float32",
            *overrides,
        ],
    )


def history(run):
    with open(run.history, newline="") as handle:
        return list(csv.DictReader(handle))


def test_training_writes_a_complete_run_and_the_loss_falls(sample_dir, tmp_path, capfd):
    run, metrics = train(tiny_config(sample_dir, tmp_path, "train.epochs=4", "train.learning_rate=0.01"))
    printed = capfd.readouterr()  # as a pipe gets it: the final evaluation's progress in a plain line, no bar redrawn
    assert "/image\n" in printed.out  # "N/N - 0s - 9ms/image"
    assert not {"\b", "\r", "\x1b"} & set(printed.out + printed.err)
    rows = history(run)
    assert [int(row["epoch"]) for row in rows] == [0, 1, 2, 3]
    assert float(rows[-1]["loss"]) < float(rows[0]["loss"])
    assert json.loads(run.metrics.read_text()) == metrics
    assert {"mean_iou", "mean_dice", "pixel_accuracy", "iou_star", "dice_background"} <= set(metrics)
    for name in ("config.yaml", "model.keras", "confusion_matrix.png", "val_predictions.png", "evaluation_masks.png"):
        assert run.file(name).is_file(), name
    tags = {tag for tag, _ in summary_tags(run.logs)}
    assert {"epoch_loss", "epoch_val_loss", "epoch_mean_iou", "epoch_val_mean_iou", "confusion_matrix"} <= tags
    assert {"validation_masks", "evaluation_masks"} <= tags
    assert ("_hparams_/session_start_info", "hparams") in summary_tags(run.logs)


def test_the_default_config_stops_once_validation_stops_improving_and_keeps_the_best_epoch(sample_dir, tmp_path):
    defaults = load("configs/default.yaml").train
    run, _ = train(tiny_config(sample_dir, tmp_path, "train.learning_rate=0.01"))  # the default epochs and patience
    scores = [float(row["val_mean_iou"]) for row in history(run)]
    last_gain, record = 0, scores[0]  # the last epoch that beat the record by more than min_delta
    for epoch, score in enumerate(scores):
        if score > record + defaults.min_delta:
            last_gain, record = epoch, score
    assert len(scores) == last_gain + 1 + defaults.early_stopping_patience < defaults.epochs
    best = int(np.argmax(scores))  # the model kept is the best epoch's, gain or not
    config = load(run.config_file)
    model = keras.saving.load_model(run.file("model.keras"))
    batches = data.training_batches(config, data.read_splits(config.data, config.train.seed), size=32)
    assert model.evaluate(batches.val, return_dict=True, verbose=0)["mean_iou"] == pytest.approx(scores[best], abs=1e-4)


def test_a_named_unfinished_run_resumes_at_its_next_epoch(sample_dir, tmp_path):
    config = tiny_config(sample_dir, tmp_path, "train.epochs=2", "run.name=resumed")
    run, _ = train(config)
    run.metrics.unlink()  # as if killed after its second epoch
    config.train.epochs = 3
    train(config)
    assert [int(row["epoch"]) for row in history(run)] == [0, 1, 2]


def test_the_binary_sigmoid_head_trains_on_foreground_masks(sample_dir, tmp_path):
    # Every shape is "foreground": the sample masks' values 1-4 map to class 1 through a two-class list.
    binary = tmp_path / "binary"
    (binary / "masks").mkdir(parents=True)
    (binary / "images").symlink_to(sample_dir / "images")
    for path in (sample_dir / "masks").iterdir():
        Image.fromarray(np.minimum(np.asarray(Image.open(path)), 1)).save(binary / "masks" / path.name)
    run, metrics = train(
        tiny_config(
            binary,
            tmp_path,
            "model.activation=sigmoid",
            "train.epochs=2",
            "data.classes=[{name: background, value: 0}, {name: shape, value: 1}]",
        )
    )
    assert set(metrics) >= {"iou_background", "iou_shape"}
    assert keras.saving.load_model(run.file("model.keras"), compile=False).output.shape[-1] == 2


def test_transfer_from_an_earlier_run_trains_the_decoder_then_finetunes(sample_dir, tmp_path):
    source, _ = train(tiny_config(sample_dir, tmp_path, "train.epochs=1", "run.name=source"))
    run, _ = train(
        tiny_config(
            sample_dir,
            tmp_path,
            f"model.weights={source.file('model.keras')}",
            "train.epochs=1",
            "train.finetune_epochs=1",
            "train.unfreeze_top=0",
            "run.name=transfer",
        )
    )
    assert [int(row["epoch"]) for row in history(run)] == [0, 1]
    before = keras.saving.load_model(source.file("model.keras"), compile=False)
    after = keras.saving.load_model(run.file("model.keras"), compile=False)
    for old, new in zip(encoder_layers(before), encoder_layers(after), strict=True):  # frozen in both phases
        for old_weights, new_weights in zip(old.get_weights(), new.get_weights(), strict=True):
            np.testing.assert_array_equal(old_weights, new_weights)


def test_auto_classes_go_into_the_runs_config_which_evaluate_reads(eleven_classes, tmp_path):
    directory, values = eleven_classes
    (directory / "classes.txt").write_text("background\nroad\ncar\n")
    config = tiny_config(directory, tmp_path / "runs", "data.ignore_value=255", "train.epochs=1", "data.batch_size=2")
    run, metrics = train(config)
    saved = load(run.config_file).data
    names = ["background", "road", "car"] + [f"class_{value}" for value in values[3:]]
    assert [(c.name, c.value) for c in saved.classes] == list(zip(names, values, strict=True))
    assert {f"iou_{name}" for name in names} <= set(metrics)
    assert keras.saving.load_model(run.file("model.keras"), compile=False).output.shape[-1] == 11
    assert Segmentation().evaluate(load(run.config_file), run)["mean_iou"] == metrics["mean_iou"]  # the same classes
