import csv
import json

import keras
import numpy as np
from PIL import Image

from {{ cookiecutter.package_name }}.callbacks.tensorboard import summary_tags
from {{ cookiecutter.package_name }}.config import load
from {{ cookiecutter.package_name }}.model import encoder_layers
from {{ cookiecutter.package_name }}.runtime import training
from {{ cookiecutter.package_name }}.task import Segmentation


def train(config):
    return training.train(Segmentation(), config)


def tiny_config(sample_dir, runs_dir, *overrides):
    return load("configs/default.yaml", [
        f"data.images_dir={sample_dir}/images", f"data.masks_dir={sample_dir}/masks", f"run.dir={runs_dir}",
        "data.batch_size=8", "data.image_size=32", "model.filters=[8, 16]", "train.precision=float32", *overrides,
    ])


def history(run):
    with open(run.history, newline="") as handle:
        return list(csv.DictReader(handle))


def test_training_writes_a_complete_run_and_the_loss_falls(sample_dir, tmp_path):
    run, metrics = train(tiny_config(sample_dir, tmp_path, "train.epochs=4", "train.learning_rate=0.01"))
    rows = history(run)
    assert [int(row["epoch"]) for row in rows] == [0, 1, 2, 3]
    assert float(rows[-1]["loss"]) < float(rows[0]["loss"])
    assert json.loads(run.metrics.read_text()) == metrics
    assert {"mean_iou", "mean_dice", "pixel_accuracy", "iou_star", "dice_background"} <= set(metrics)
    for name in ("config.yaml", "model.keras", "confusion_matrix.png", "val_predictions.png", "evaluation_masks.png"):
        assert run.file(name).is_file(), name
    tags = {tag for tag, _ in summary_tags(run.logs)}
    assert {"epoch_loss", "epoch_mean_iou", "validation_masks", "evaluation_masks", "confusion_matrix"} <= tags
    assert ("_hparams_/session_start_info", "hparams") in summary_tags(run.logs)


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
    run, metrics = train(tiny_config(binary, tmp_path, "model.activation=sigmoid", "train.epochs=2",
                                     "data.classes=[{name: background, value: 0}, {name: shape, value: 1}]"))
    assert set(metrics) >= {"iou_background", "iou_shape"}
    assert keras.saving.load_model(run.file("model.keras"), compile=False).output.shape[-1] == 2


def test_transfer_from_an_earlier_run_trains_the_decoder_then_finetunes(sample_dir, tmp_path):
    source, _ = train(tiny_config(sample_dir, tmp_path, "train.epochs=1", "run.name=source"))
    run, _ = train(tiny_config(sample_dir, tmp_path, f"model.weights={source.file('model.keras')}", "train.epochs=1",
                               "train.finetune_epochs=1", "train.unfreeze_top=0", "run.name=transfer"))
    assert [int(row["epoch"]) for row in history(run)] == [0, 1]
    before = keras.saving.load_model(source.file("model.keras"), compile=False)
    after = keras.saving.load_model(run.file("model.keras"), compile=False)
    for old, new in zip(encoder_layers(before), encoder_layers(after), strict=True):  # frozen in both phases
        for old_weights, new_weights in zip(old.get_weights(), new.get_weights(), strict=True):
            np.testing.assert_array_equal(old_weights, new_weights)
