"""Data: boxes follow the pixels through each augmentation, batches for every picture size, sizes from the data."""

import dataclasses

import numpy as np
import pytest
import tensorflow as tf

from {{ cookiecutter.package_name }} import data
from {{ cookiecutter.package_name }}.config import BoxAugmentation
from {{ cookiecutter.package_name }}.datasets.augment import image_pipeline
from {{ cookiecutter.package_name }}.runtime.errors import UserError
from {{ cookiecutter.package_name }}.scenes import write_sample_scenes

OFF = {"flip": "none", "translation": 0.0, "zoom": 0.0, "brightness": 0.0, "contrast": 0.0}


def bright_pixels_box(picture):
    rows, columns = np.nonzero(picture[..., 0] > 127)
    return np.array([columns.min(), rows.min(), columns.max() + 1, rows.max() + 1], np.float32)


@pytest.mark.parametrize(
    "transform",
    [{"flip": "horizontal_and_vertical"}, {"translation": 0.25}, {"zoom": 0.3}],
    ids=lambda t: next(iter(t)),
)
def test_boxes_follow_the_pixels_through_each_geometric_transform(transform):
    pictures = np.zeros((8, 64, 64, 3), np.float32)
    pictures[:, 20:36, 12:44] = 255.0  # a bright box x 12..44, y 20..36, and a padding row in each image
    boxes = np.tile(np.array([[[12, 20, 44, 36], [-1, -1, -1, -1]]], np.float32), (8, 1, 1))
    labels = np.tile(np.array([[1, -1]], np.int32), (8, 1))
    pipeline = image_pipeline(BoxAugmentation(**{**OFF, **transform}), seed=3, bounding_box_format="xyxy")
    moved = pipeline({"images": pictures, "bounding_boxes": {"boxes": boxes, "labels": labels}}, training=True)
    moved_pictures = np.asarray(moved["images"])
    moved_boxes = np.asarray(moved["bounding_boxes"]["boxes"])
    changed = 0
    for picture, box in zip(moved_pictures, moved_boxes[:, 0], strict=True):
        found = bright_pixels_box(picture)
        np.testing.assert_allclose(box, found, atol=1.5)
        changed += not np.allclose(found, [12, 20, 44, 36])
    assert changed >= 3  # the transform did move most pictures


def test_boxes_moved_out_of_the_picture_are_dropped():
    boxes = tf.constant([[[0, 0, 10, 10], [0, 5, 1.5, 9], [3, 3, 3, 3], [-1, -1, -1, -1]]], tf.float32)
    labels = data.without_lost_boxes(boxes, tf.constant([[2, 0, 1, -1]]))
    assert labels.numpy().tolist() == [[2, -1, -1, -1]]


def test_batches_of_mixed_picture_sizes_are_letterboxed_with_a_target_per_anchor(tiny_config, tmp_path):
    write_sample_scenes(tmp_path, count=6, size=[40, 64, 90], seed=2)
    tiny_config.data.images_dir, tiny_config.data.annotations = (
        str(tmp_path / "images"),
        str(tmp_path / "annotations.json"),
    )
    tiny_config.data.batch_size = 3
    splits = data.read_splits(tiny_config)
    batches = data.training_batches(tiny_config, splits)
    anchors = len(batches.anchors)
    for dataset in (batches.train, batches.val):
        pixels, targets = next(iter(dataset))
        assert tuple(pixels.shape[1:]) == (64, 64, 3)
        assert tuple(targets["boxes"].shape[1:]) == (anchors, 5) and tuple(targets["classes"].shape[1:]) == (anchors,)
        assert targets["boxes"].numpy()[..., 4].sum() >= 1  # some anchor learns a box


def test_image_size_auto_keeps_small_objects_a_dozen_pixels_wide(tiny_config, sample_dir, capsys):
    config = dataclasses.replace(tiny_config, data=dataclasses.replace(tiny_config.data, image_size="auto"))
    images = data.read(config).images
    big = [
        dataclasses.replace(image, width=image.width * 8, height=image.height * 8, boxes=image.boxes * 8)
        for image in images
    ]
    small = np.percentile(np.concatenate([data.box_sides(image.boxes) for image in big]) / 512, 10)
    side = data.image_size(config.data, big)
    assert side == int(round(12 / small / 32)) * 32  # not the pictures' 512 px: a dozen pixels suffice
    assert side * small == pytest.approx(12, abs=32 * float(small))
    assert "data.image_size auto" in capsys.readouterr().out
    assert data.image_size(config.data, images) == 64  # never above the pictures' own size


def test_read_splits_fills_in_classes_size_and_anchors(tiny_config):
    tiny_config.data.classes = "auto"
    splits = data.read_splits(tiny_config)
    assert tiny_config.data.classes == ["circle", "square", "triangle", "star", "cross"] == splits.classes
    assert tiny_config.anchors.resolved and len(splits.val) == round(0.2 * 24)


def test_anchor_levels_the_config_fixes_bound_the_fit_and_must_fit_the_input(tiny_config):
    tiny_config.anchors.min_level = 3
    data.read_splits(tiny_config)
    assert tiny_config.anchors.min_level == 3 and tiny_config.anchors.max_level >= 3
    tiny_config.anchors.max_level = 7  # 64 px is no multiple of 128
    with pytest.raises(UserError, match="anchors.max_level 7 needs data.image_size a multiple of 128, not 64"):
        data.read_splits(tiny_config)
