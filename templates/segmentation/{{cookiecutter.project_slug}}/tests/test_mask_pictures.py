"""Mask pictures: class colours, overlays that leave black classes uncovered, the comparison grid, the callback."""

import keras
import numpy as np
from PIL import Image

from {{ cookiecutter.package_name }}.mask_pictures import IGNORED_COLOUR, MaskPreview, colourise, comparison_grid, overlay

COLOURS = [[0, 0, 0], [255, 0, 0], [0, 0, 255]]


def test_colourise_paints_each_class_and_ignored_pixels():
    mask = np.array([[0, 1], [2, -1]])
    np.testing.assert_array_equal(colourise(mask, COLOURS), [[[0, 0, 0], [255, 0, 0]], [[0, 0, 255], IGNORED_COLOUR]])


def test_overlay_blends_class_colours_and_leaves_black_classes_uncovered():
    image = np.full((1, 2, 3), 100, dtype=np.uint8)
    blended = overlay(image, np.array([[0, 1]]), COLOURS, alpha=0.5)
    np.testing.assert_array_equal(blended[0, 0], [100, 100, 100])
    np.testing.assert_array_equal(blended[0, 1], [177, 50, 50])  # 0.5 * 100 + 0.5 * 255 = 177.5, truncated


def test_grid_has_picture_truth_prediction_per_row_and_a_legend_below():
    images = np.zeros((2, 8, 8, 3), dtype=np.uint8)
    truth = np.ones((2, 8, 8), dtype=int)
    predicted = np.full((2, 8, 8), 2)
    grid = comparison_grid(images, truth, predicted, ["background", "apple", "sea"], COLOURS, smallest=8)
    assert grid.shape[1] == 24 and grid.shape[0] > 16
    np.testing.assert_array_equal(grid[3, 11], [140, 0, 0])  # the true mask: apple red over black
    np.testing.assert_array_equal(grid[12, 19], [0, 0, 140])  # the prediction: sea blue
    enlarged = comparison_grid(images, truth, predicted, ["background", "apple", "sea"], COLOURS, smallest=32)
    assert enlarged.shape[1] == 96 and (enlarged[:64, 32:64] == [140, 0, 0]).all()


def test_preview_callback_writes_each_epoch_to_tensorboard_and_png(tmp_path):
    inputs = keras.Input((8, 8, 3))
    model = keras.Model(inputs, keras.layers.Conv2D(3, 1, activation="softmax")(inputs))
    images = np.random.default_rng(0).integers(0, 255, (2, 8, 8, 3), dtype=np.uint8)
    preview = MaskPreview(
        images,
        np.zeros((2, 8, 8), dtype=int),
        ["background", "apple", "sea"],
        COLOURS,
        tmp_path / "logs",
        tmp_path / "masks.png",
    )
    preview.set_model(model)
    preview.on_epoch_end(0)
    preview.on_epoch_end(1)
    with Image.open(tmp_path / "masks.png") as masks:
        assert masks.size[0] == 3 * 128  # 8-pixel pictures enlarged 16 times
    assert len(list((tmp_path / "logs").glob("events.out.tfevents.*"))) >= 1
