"""Anchors: how many per level, in which order, of which shape, and sizes fitted to boxes recover the boxes."""

import dataclasses

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.anchors import (
    AnchorSpec,
    anchor_boxes,
    anchor_recall,
    best_anchor_iou,
    draw_location,
    fit_anchors,
    level_shapes,
    paired_iou,
    ratio_clusters,
    report,
)
from {{ cookiecutter.package_name }}.runtime.errors import UserError

RETINANET = AnchorSpec(min_level=3, max_level=7, num_scales=3, aspect_ratios=[0.5, 1.0, 2.0], anchor_size=4.0)


def random_boxes(count, image_size, sides, ratios, seed):
    """Boxes anywhere in the image, side sqrt(w h) uniform in `sides`, height / width one of `ratios` (+-5 %)."""
    rng = np.random.default_rng(seed)
    side = rng.uniform(*sides, count)
    ratio = rng.choice(ratios, count) * np.exp(rng.normal(0, 0.05, count))
    width, height = side / np.sqrt(ratio), side * np.sqrt(ratio)
    x, y = rng.uniform(0, image_size - width), rng.uniform(0, image_size - height)
    return np.stack([x, y, x + width, y + height], axis=1)


@pytest.mark.parametrize(
    "spec, image_size, per_level",
    [
        (AnchorSpec(3, 5, 3, [0.5, 1.0, 2.0], 4.0), 256, [9216, 2304, 576]),
        (AnchorSpec(3, 7, 1, [0.5, 2.0], 4.0), 512, [8192, 2048, 512, 128, 32]),
        (AnchorSpec(2, 2, 2, [1.0], 2.0), 64, [512]),
    ],
)
def test_anchor_count_is_cells_times_anchors_per_cell(spec, image_size, per_level):
    shapes = level_shapes(spec, image_size)
    assert [h * w * k for _, h, w, k in shapes] == per_level
    assert [level for level, *_ in shapes] == list(range(spec.min_level, spec.max_level + 1))
    assert anchor_boxes(spec, image_size).shape == (sum(per_level), 4)
    assert report(spec, image_size)[-1].split() == ["total", str(sum(per_level))]


def test_anchor_order_is_level_then_row_then_column_then_ratio_then_scale():
    spec = AnchorSpec(min_level=3, max_level=4, num_scales=2, aspect_ratios=[0.5, 4.0], anchor_size=4.0)
    anchors = anchor_boxes(spec, 64)
    # level 3 holds 8 x 8 cells x 4; cell (1, 2) of level 4 (4 x 4 cells) is centred at (2 x 16, 1 x 16)
    first = 8 * 8 * 4 + (1 * 4 + 2) * 4
    # ratio 0.5, scale 0: side 64 -> 90.5 x 45.25, half sides rounded to whole pixels
    np.testing.assert_array_equal(anchors[first + 0], [32 - 45, 16 - 23, 32 + 45, 16 + 23])
    # ratio 4, scale 0: 32 wide, 128 tall
    np.testing.assert_array_equal(anchors[first + 2], [32 - 16, 16 - 64, 32 + 16, 16 + 64])
    # scale 1: side int(64 x 2^(1/2)) = 90, so 45 x 180, and the half width 22.5 rounds to even
    width, height = anchors[first + 3, 2:] - anchors[first + 3, :2]
    assert (width, height) == (44, 180)
    # the first anchor of all: level 3, cell (0, 0), centred on the image corner
    np.testing.assert_array_equal(anchors[0], [-23, -11, 23, 11])


def test_aspect_ratio_is_height_over_width():
    (tall,) = anchor_boxes(AnchorSpec(3, 3, 1, [2.0], 4.0), 8)
    width, height = tall[2:] - tall[:2]
    assert (width, height) == (22, 46)  # 32 x sqrt 2 = 45.25 tall, 32 / sqrt 2 = 22.6 wide, half sides rounded


def test_recall_of_hand_made_boxes():
    spec = AnchorSpec(3, 4, 1, [1.0], 4.0)  # squares of 32 (level 3) and 64 (level 4)
    anchors = anchor_boxes(spec, 64)
    assert anchor_recall(anchors[[10, 70]], spec, 64) == 1.0
    tiny = np.array([[30.0, 30.0, 32.0, 32.0]])
    assert anchor_recall(tiny, spec, 64) == 0.0
    # 32 x 32 box half a cell off every centre: IoU (28 x 28) / (2 x 1024 - 784)
    between = np.array([[4.0, 4.0, 36.0, 36.0]])
    np.testing.assert_allclose(best_anchor_iou(between, spec, 64), [784 / 1264], rtol=1e-6)
    assert anchor_recall(between, spec, 64, iou=0.6) == 1.0
    assert anchor_recall(between, spec, 64, iou=0.7) == 0.0


def test_best_iou_from_the_nearest_cells_equals_comparing_every_anchor():
    spec = AnchorSpec(2, 5, 2, [0.4, 1.0, 2.5], 3.0)
    boxes = random_boxes(200, 128, (4, 60), [0.3, 1.0, 3.0], seed=3)
    every_anchor = paired_iou(boxes[:, None, :], anchor_boxes(spec, 128)[None, :, :]).max(axis=1)
    np.testing.assert_allclose(best_anchor_iou(boxes, spec, 128), every_anchor, rtol=1e-5)


def test_fitted_anchors_cover_small_boxes_the_retinanet_defaults_miss():
    boxes = random_boxes(2000, 256, (10, 40), [0.33, 1.0, 3.0], seed=0)
    spec = fit_anchors(boxes, 256, max_level=5)
    np.testing.assert_allclose(spec.aspect_ratios, [0.33, 1.0, 3.0], atol=0.03)
    assert (spec.min_level, spec.max_level) == (2, 3)  # levels 4 and 5 would add anchors larger than any box
    assert anchor_recall(boxes, spec, 256) >= 0.95
    assert anchor_recall(boxes, dataclasses.replace(spec, max_level=5), 256) == anchor_recall(boxes, spec, 256)
    assert anchor_recall(boxes, RETINANET, 256) <= 0.65


def test_ratio_clusters_merge_when_shapes_are_fewer_than_clusters():
    assert ratio_clusters(np.ones(50), 3) == [1.0]
    assert ratio_clusters(np.array([0.5] * 20 + [2.0] * 30), 3) == [0.5, 2.0]


def test_report_lists_levels_and_recall():
    spec = AnchorSpec(3, 5, 3, [0.5, 1.0, 2.0], 4.0)
    anchors = anchor_boxes(spec, 256)
    boxes = np.concatenate([anchors[[5, 100, 9300]], [[0.0, 0.0, 2.0, 2.0]]])
    assert report(spec, 256, boxes) == [
        "anchors: side 4 x stride, 3 scales per octave, aspect ratios (height / width) 0.5, 1, 2",
        "level  stride  feature map  per cell   anchors",
        "P3          8      32 x 32         9      9216",
        "P4         16      16 x 16         9      2304",
        "P5         32        8 x 8         9       576",
        "total                                    12096",
        "anchor recall at IoU 0.5: 75.0% of 4 boxes",
        "boxes no anchor overlaps at IoU 0.5 (each learns from its closest anchor only): 25.0%",
    ]


def test_draw_location_outlines_the_cells_anchors():
    spec = AnchorSpec(4, 4, 1, [1.0, 4.0], 2.0)  # 32 x 32 square and 16 x 64 tall anchors
    picture = draw_location(np.zeros((64, 64, 3), np.uint8), spec, 64, level=4, row=2, col=2)
    # square (red) from 16 to 48 around (32, 32), tall (green) from 0 to 64 in y and 24 to 40 in x
    assert tuple(picture[16, 30]) == (230, 25, 75)
    assert tuple(picture[5, 24]) == (60, 180, 75)
    assert tuple(picture[32, 32]) == (255, 255, 255)  # the centre
    assert picture[20:28, 26:30].sum() == 0  # inside both outlines, untouched
    with pytest.raises(UserError, match=r"level 6 is not a pyramid level of the model: pick one of 4..4"):
        draw_location(picture, spec, 64, level=6, row=0, col=0)
    with pytest.raises(UserError, match=r"cell \(4, 0\) is outside level 4's 4 x 4 feature map"):
        draw_location(picture, spec, 64, level=4, row=4, col=0)


def test_image_size_must_be_a_multiple_of_the_coarsest_stride():
    with pytest.raises(ValueError, match="image size 200 is not a multiple of 2\\^7"):
        level_shapes(RETINANET, 200)
