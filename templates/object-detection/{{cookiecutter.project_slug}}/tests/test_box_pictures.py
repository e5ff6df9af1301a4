"""Box pictures: class colours, outlines on their exact pixels, enlarged pictures and boxes, the grid, the callback."""

import keras
import numpy as np
from PIL import Image

from {{ cookiecutter.package_name }}.box_pictures import BoxPreview, class_colours, comparison_grid, draw_boxes
from {{ cookiecutter.package_name }}.callbacks.tensorboard import summary_tags

NAMES = ["circle", "square", "star"]
GREY = 100


def grey(height, width):
    return np.full((height, width, 3), GREY, dtype=np.uint8)


def test_class_colours_are_distinct_and_do_not_depend_on_the_count():
    assert class_colours(1) == [(255, 38, 38)]  # hue 0 at saturation 0.85: red
    assert class_colours(3) == class_colours(12)[:3]
    assert len(set(class_colours(40))) == 40


def test_each_box_is_outlined_in_its_class_colour_on_its_edge_pixels_only():
    image = grey(40, 40)
    drawn = draw_boxes(image, [[5, 20, 25, 35], [28, 22, 38, 30]], [1, 2], NAMES, scores=[0.87, 0.5])
    square, star = class_colours(3)[1:]
    for x, y in [(5, 27), (25, 27), (15, 20), (15, 35)]:  # left, right, top and bottom edge of the square
        np.testing.assert_array_equal(drawn[y, x], square)
    np.testing.assert_array_equal(drawn[30, 33], star)  # the star's bottom edge, in its own colour
    for x, y in [(15, 27), (26, 27), (15, 36)]:  # inside the square, just right of it, just below it
        np.testing.assert_array_equal(drawn[y, x], [GREY] * 3)
    caption = drawn[:20, 5:25]  # above the square; its letters are smoothed, so only their cores are the colour
    assert (caption != GREY).any(axis=-1).sum() > 20 and (caption == square).all(axis=-1).any()
    assert (image == GREY).all()  # the picture passed in is left as it was


def test_a_picture_without_boxes_is_drawn_unchanged():
    np.testing.assert_array_equal(draw_boxes(grey(8, 8), np.zeros((0, 4)), [], NAMES), grey(8, 8))


def test_small_pictures_are_enlarged_with_their_boxes():
    grid = comparison_grid([grey(16, 16)], [[[2, 2, 8, 8]]], [[0]], [([[4, 4, 12, 12]], [1], [0.9])], NAMES, 64)
    circle, square = class_colours(2)
    assert grid.shape == (64, 128, 3)  # 16 pixels, four times over; truth | prediction
    np.testing.assert_array_equal(grid[32, 32], circle)  # the true box's bottom-right corner, 8 * 4
    np.testing.assert_array_equal(grid[40, 40], [GREY] * 3)  # outside it
    np.testing.assert_array_equal(grid[48, 64 + 48], square)  # the predicted box's corner, 12 * 4, right panel
    np.testing.assert_array_equal(grid[32, 64 + 10], [GREY] * 3)  # no true box drawn in the prediction panel


def test_grid_has_a_row_per_picture_padded_to_the_widest():
    images = [grey(16, 16), grey(24, 40)]  # enlarged 4 times (to 64) and not at all (40 * 2 > 64)
    no_boxes = ([], [], [])
    grid = comparison_grid(images, [[], []], [[], []], [no_boxes, no_boxes], NAMES, smallest=64)
    assert grid.shape == (64 + 24, 128, 3)
    assert (grid[64:, :80] == GREY).all() and (grid[64:, 80:] == 255).all()


def test_masks_are_filled_in_a_colour_of_their_own_under_the_boxes():
    true_mask, found_mask = np.zeros((16, 16), bool), np.zeros((16, 16), bool)
    true_mask[8:12, 8:12] = found_mask[0:4, 0:4] = True
    grid = comparison_grid(
        [grey(16, 16)], [[]], [[]], [([], [], [])], NAMES, smallest=16, masks=[([true_mask], [found_mask])]
    )
    blended = np.round(0.5 * GREY + 0.5 * np.array(class_colours(1)[0]))
    np.testing.assert_array_equal(grid[10, 10], blended)  # the truth, left
    np.testing.assert_array_equal(grid[2, 16 + 2], blended)  # the prediction, right
    assert (grid[10, 16 + 10] == GREY).all() and (grid[2, 2] == GREY).all()


def test_preview_writes_each_epoch_to_tensorboard_and_png(tmp_path):
    inputs = keras.Input((8, 8, 3))
    model = keras.Model(inputs, keras.layers.Conv2D(2, 1)(inputs))
    calls = []

    def detect(detector, images):  # a stand-in for the real decoding: the same box every time
        calls.append(detector)
        return [([[1, 1, 4, 4]], [2], [0.75]) for _ in images], None

    images = np.random.default_rng(0).integers(0, 255, (2, 8, 8, 3), dtype=np.uint8)
    preview = BoxPreview(images, [[[0, 0, 8, 8]]] * 2, [[0]] * 2, detect, NAMES, tmp_path / "logs", tmp_path / "b.png")
    preview.set_model(model)
    preview.on_epoch_end(0)
    preview.on_epoch_end(1)
    assert calls == [model, model]
    with Image.open(tmp_path / "b.png") as boxes:
        assert boxes.size == (2 * 256, 2 * 256)  # 8-pixel pictures enlarged 32 times, truth | prediction
        np.testing.assert_array_equal(np.asarray(boxes)[128, 256 + 128], class_colours(3)[2])  # corner, 4 * 32
    assert ("validation_boxes", "images") in summary_tags(tmp_path / "logs")
