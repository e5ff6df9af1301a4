"""A whole training run on generated scenes: the run folder, the loss that falls, mAP in the logs, the pictures."""

import csv
import json

from {{ cookiecutter.package_name }}.callbacks.tensorboard import summary_tags
from {{ cookiecutter.package_name }}.runtime import training
from {{ cookiecutter.package_name }}.task import ObjectDetection


def test_training_writes_a_complete_run_and_the_loss_falls(tiny_config, tmp_path, capfd):
    tiny_config.run.dir = str(tmp_path)
    tiny_config.train.epochs = 8
    tiny_config.train.learning_rate = 0.005
    tiny_config.data.batch_size = 4  # 5 steps an epoch
    tiny_config.train.schedule, tiny_config.train.warmup_epochs = "constant", 0.0
    run, metrics = training.train(ObjectDetection(), tiny_config)
    printed = capfd.readouterr()
    assert "anchors: levels" in printed.out and "map_50: " in printed.out
    with open(run.history, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(row["epoch"]) for row in rows] == list(range(8))
    assert float(rows[-1]["loss"]) < 0.85 * float(rows[0]["loss"])
    assert {"map", "map_50", "val_map", "val_map_50", "val_map_75", "boxes_loss", "classes_loss"} <= set(rows[0])
    assert json.loads(run.metrics.read_text()) == metrics
    assert {"map", "map_50", "map_75", "ap_circle", "ap_cross"} <= set(metrics)
    for name in ("config.yaml", "model.keras", "val_predictions.png"):
        assert run.file(name).is_file(), name
    tags = {tag for tag, _ in summary_tags(run.logs)}
    assert {"epoch_loss", "epoch_val_loss", "epoch_val_map", "epoch_map", "validation_boxes"} <= tags


def test_faster_rcnn_trains_both_stages_and_a_mask_head_and_logs_their_losses(faster_rcnn_run):
    _, run, metrics = faster_rcnn_run
    with open(run.history, newline="") as handle:
        rows = list(csv.DictReader(handle))
    losses = ("rpn_objectness", "rpn_box", "head_class", "head_box", "mask")
    assert {*losses, *(f"val_{name}" for name in losses), "val_map_50", "val_mask_map_50"} <= set(rows[0])
    # a tiny model's epochs are noisy, and the head's task changes as the RPN learns: the best of the last three
    # epochs against the first (seen: loss 0.80-0.84 of it, objectness 0.55-0.74, head 0.71-0.81, mask 0.87)
    for name, ratio in (("loss", 0.9), ("rpn_objectness", 0.85), ("head_class", 0.9), ("mask", 0.93)):
        assert min(float(row[name]) for row in rows[-3:]) < ratio * float(rows[0][name]), name
    assert json.loads(run.metrics.read_text()) == metrics and {"map_50", "mask_map_50", "mask_ap_circle"} <= set(
        metrics
    )
    tags = {tag for tag, _ in summary_tags(run.logs)}
    assert {"epoch_rpn_objectness", "epoch_head_class", "validation_boxes"} <= tags
