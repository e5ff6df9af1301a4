"""Anchor targets: thresholds, low-quality matches, padding rows that claim nothing, offsets that decode back."""

import numpy as np
from keras.utils import bounding_boxes

from {{ cookiecutter.package_name }}.losses import BACKGROUND, IGNORED
from {{ cookiecutter.package_name }}.targets import VARIANCE, AnchorTargets, decode, encode, pairwise_iou

ANCHORS = np.array([[0, 0, 10, 10], [10, 0, 20, 10], [0, 10, 10, 20], [0, 0, 20, 20], [30, 30, 34, 34]], np.float32)
PADDING = [-1.0, -1.0, -1.0, -1.0]


def targets(boxes, labels):
    box_targets, class_targets = AnchorTargets(ANCHORS, positive_iou=0.5, negative_iou=0.4)(
        np.array(boxes, np.float32), np.array(labels, np.int32)
    )
    return np.asarray(box_targets), np.asarray(class_targets)


def test_each_anchor_learns_its_box_background_or_nothing_by_iou():
    # box 0 overlaps anchor 0 at 81/119 = 0.68 and anchor 3 at 0.2; box 1, [0, 0, 14, 20], overlaps anchor 3 at 0.7
    # and anchor 0 at 100/280 = 0.36, anchor 2 at 0.36; a second image holds padding only
    boxes = [[[1, 1, 11, 11], [0, 0, 14, 20]], [PADDING, PADDING]]
    box_targets, class_targets = targets(boxes, [[2, 1], [-1, -1]])
    np.testing.assert_allclose(
        bounding_boxes.compute_iou(ANCHORS, np.array(boxes[:1], np.float32), "xyxy")[0, 0],
        [81 / 119, 100 / 280],
    )
    assert class_targets.tolist() == [[2, BACKGROUND, BACKGROUND, 1, BACKGROUND], [BACKGROUND] * 5]
    assert box_targets[0, :, 4].tolist() == [1, 0, 0, 1, 0]


def test_between_the_thresholds_an_anchor_is_ignored():
    # [0, 0, 13, 13] overlaps anchor 0 at 100/169 = 0.59 (learns it), anchor 3 at 169/400 = 0.42 (between 0.4 and
    # 0.5: ignored), anchors 1 and 2 at 30/239 = 0.13 (background)
    _, class_targets = targets([[[0, 0, 13, 13]]], [[4]])
    assert class_targets.tolist() == [[4, BACKGROUND, BACKGROUND, IGNORED, BACKGROUND]]


def test_a_box_no_anchor_fits_still_claims_its_closest_anchor():
    """A small object: its best IoU is under the positive threshold, yet it gets the anchor closest to it."""
    box_targets, class_targets = targets([[[30, 30, 32, 32], PADDING]], [[3, -1]])  # IoU 4/16 with anchor 4
    assert class_targets[0].tolist() == [BACKGROUND] * 4 + [3]
    assert box_targets[0, 4, 4] == 1


def test_padding_rows_claim_no_anchor():
    """Not even anchor 0, which keras-hub's BoxMatcher with force_match_for_each_col marks positive here."""
    _, class_targets = targets([[PADDING, PADDING]], [[-1, -1]])
    assert class_targets.tolist() == [[BACKGROUND] * 5]


def test_iou_and_offsets_are_keras_own_made_in_tensorflow():
    boxes = np.array([[[1, 2, 11, 13], [0, 0, 14, 20]], [[30, 31, 33, 36], PADDING]], np.float32)
    matched = np.stack([boxes[0, [0, 1, 1, 0, 1]], boxes[1, [0, 0, 1, 1, 0]]])  # a box for each anchor
    np.testing.assert_allclose(
        pairwise_iou(ANCHORS, boxes), bounding_boxes.compute_iou(ANCHORS, boxes, "xyxy"), rtol=1e-6
    )
    expected = bounding_boxes.encode_box_to_deltas(
        np.broadcast_to(ANCHORS, matched.shape), matched, anchor_format="xyxy", box_format="xyxy", variance=VARIANCE
    )
    np.testing.assert_allclose(encode(ANCHORS, matched), expected, rtol=1e-5, atol=1e-6)


def test_offsets_decode_back_to_the_matched_boxes():
    boxes = [[[1, 2, 11, 13], [0, 0, 14, 20]]]
    box_targets, class_targets = targets(boxes, [[0, 1]])
    decoded = np.asarray(decode(ANCHORS, box_targets[..., :4]))
    np.testing.assert_allclose(decoded[0, 0], boxes[0][0], atol=1e-4)
    np.testing.assert_allclose(decoded[0, 3], boxes[0][1], atol=1e-4)
