"""Faster R-CNN's parts: ROI Align against bilinear sampling by hand, proposals, the head's sample, the model."""

import keras
import numpy as np
import pytest
from keras import ops

from {{ cookiecutter.package_name }} import data, portable
from {{ cookiecutter.package_name }}.inference import Detector
from {{ cookiecutter.package_name }}.model import backbone_layers, build_model, class_names_of
from {{ cookiecutter.package_name }}.proposals import LARGEST_LOG_GROWTH, SMALLEST_SIDE, decode, propose
from {{ cookiecutter.package_name }}.roi_align import RoIAlign, pyramid_level
from {{ cookiecutter.package_name }}.roi_sampling import EMPTY, sample_rois
from {{ cookiecutter.package_name }}.targets import VARIANCE


def by_hand(features, y, x):
    """Bilinear sample of one (H, W, C) map at (y, x), pixel centres at integers: 0 beyond a pixel outside the
    map, the edge's value within it."""
    height, width = features.shape[:2]
    if not (-1 <= y <= height and -1 <= x <= width):
        return np.zeros(features.shape[-1])
    y, x = min(max(y, 0.0), height - 1.0), min(max(x, 0.0), width - 1.0)
    top, left = int(np.floor(y)), int(np.floor(x))
    bottom, right = min(top + 1, height - 1), min(left + 1, width - 1)
    fy, fx = y - top, x - left
    upper = (1 - fx) * features[top, left] + fx * features[top, right]
    lower = (1 - fx) * features[bottom, left] + fx * features[bottom, right]
    return (1 - fy) * upper + fy * lower


def aligned_by_hand(features, box, stride, size, ratio):
    """ROI Align of one box over one map: each of size x size cells the mean of ratio x ratio samples."""
    x1, y1, x2, y2 = np.asarray(box) / stride - 0.5
    cell_w, cell_h = (x2 - x1) / size, (y2 - y1) / size
    out = np.zeros((size, size, features.shape[-1]))
    for row in range(size):
        for column in range(size):
            samples = [
                by_hand(
                    features,
                    y1 + (row + (i + 0.5) / ratio) * cell_h,
                    x1 + (column + (j + 0.5) / ratio) * cell_w,
                )
                for i in range(ratio)
                for j in range(ratio)
            ]
            out[row, column] = np.mean(samples, axis=0)
    return out


def test_roi_align_reads_the_bilinear_value_at_a_cells_centre():
    # values 10 * row + column; a box of one stride-8 pixel centred between pixels (0, 0) and (1, 1)
    features = (10 * np.arange(4)[:, None] + np.arange(4)[None, :]).astype("float32")[None, :, :, None]
    align = RoIAlign(levels=[3], output_size=1, sampling_ratio=1, anchor_size=8.0)
    value = ops.convert_to_numpy(align([features], np.array([[[4.0, 4.0, 12.0, 12.0]]], "float32")))
    assert value.shape == (1, 1, 1, 1, 1)
    assert value[0, 0, 0, 0, 0] == pytest.approx((0 + 1 + 10 + 11) / 4)


def test_roi_align_matches_bilinear_samples_by_hand_on_every_level():
    rng = np.random.default_rng(0)
    maps = [rng.normal(size=(2, 32 // 2**level, 32 // 2**level, 3)).astype("float32") for level in (1, 2, 3)]
    # sides 3, 7, 14 and 30 px: levels 1 (clamped from 0), 1, 2 and 3 with anchor size 2; fractional corners, one
    # box past the picture's edge
    boxes = np.array(
        [[[1.3, 2.2, 4.3, 5.2], [5.5, 3.25, 12.5, 10.25]], [[10.1, 0.4, 24.1, 14.4], [-3.0, 6.0, 27.0, 36.0]]],
        "float32",
    )
    align = RoIAlign(levels=[1, 2, 3], output_size=3, sampling_ratio=2, anchor_size=2.0)
    result = ops.convert_to_numpy(align(maps, boxes))
    levels = ops.convert_to_numpy(pyramid_level(boxes, 2.0, 1, 3))
    assert levels.tolist() == [[1, 1], [2, 3]]
    for image in range(2):
        for index in range(2):
            level = int(levels[image, index])
            expected = aligned_by_hand(maps[level - 1][image], boxes[image, index], 2.0**level, 3, 2)
            np.testing.assert_allclose(result[image, index], expected, atol=1e-5)


def test_roi_align_config_round_trips():
    align = RoIAlign(levels=[2, 3, 4], output_size=5, sampling_ratio=1, anchor_size=3.0)
    assert RoIAlign.from_config(align.get_config()).get_config() == align.get_config()


def anchors_and_outputs(seed=0, count=400, size=64):
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, size, (count, 2))
    sides = rng.uniform(4, 24, (count, 2))
    anchors = np.concatenate([centres - sides / 2, centres + sides / 2], axis=1).astype("float32")
    deltas = rng.normal(0, 0.5, (2, count, 4)).astype("float32")
    logits = rng.normal(0, 2, (2, count, 1)).astype("float32")
    return anchors, deltas, logits


def iou_matrix(a, b):
    low, high = np.maximum(a[:, None, :2], b[None, :, :2]), np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.prod(np.clip(high - low, 0, None), axis=-1)
    area = lambda boxes: np.prod(boxes[:, 2:] - boxes[:, :2], axis=-1)  # noqa: E731
    return inter / (area(a)[:, None] + area(b)[None, :] - inter)


@pytest.mark.parametrize("count", [1, 20, 150])
def test_proposals_shrink_to_at_most_the_configured_count(count):
    anchors, deltas, logits = anchors_and_outputs()
    boxes, valid = propose(anchors, deltas, logits, pre_nms=200, count=count, iou_threshold=0.7, image_size=64.0)
    boxes, valid = ops.convert_to_numpy(boxes), ops.convert_to_numpy(valid)
    assert boxes.shape == (2, count, 4)
    assert all(1 <= v <= count for v in valid)
    for image in range(2):
        kept = boxes[image, : valid[image]]
        assert (kept >= 0).all() and (kept <= 64).all()
        assert (kept[:, 2:] - kept[:, :2] >= 1.0).all()
        overlaps = iou_matrix(kept, kept) - np.eye(len(kept))
        assert overlaps.max(initial=0) <= 0.7 + 1e-6  # NMS left no pair above its threshold
        assert not boxes[image, valid[image] :].any()


def test_copies_of_one_box_leave_one_proposal():
    anchors, deltas, logits = anchors_and_outputs()
    anchors[:] = [10.0, 10.0, 30.0, 40.0]
    deltas[:] = 0.0
    boxes, valid = propose(anchors, deltas, logits, pre_nms=200, count=50, iou_threshold=0.7, image_size=64.0)
    assert ops.convert_to_numpy(valid).tolist() == [1, 1]
    np.testing.assert_allclose(ops.convert_to_numpy(boxes)[:, 0], [anchors[0]] * 2, atol=1e-4)


def test_the_best_scored_anchor_is_the_first_proposal():
    anchors, deltas, logits = anchors_and_outputs(seed=3)
    deltas[:] = 0.0
    logits[0, 17, 0] = 50.0
    boxes, _ = propose(anchors, deltas, logits, pre_nms=100, count=5, iou_threshold=0.7, image_size=1000.0)
    np.testing.assert_allclose(ops.convert_to_numpy(boxes)[0, 0], anchors[17], atol=1e-4)


def test_the_head_learns_from_a_bounded_sample_with_the_true_boxes_among_its_positives():
    true_boxes = np.array([[[10, 10, 30, 30], [40, 40, 60, 56], [-1, -1, -1, -1]]], "float32")
    true_labels = np.array([[2, 0, -1]], "int32")
    rng = np.random.default_rng(1)
    corners = rng.uniform(0, 50, (1, 40, 2))
    proposals = np.concatenate([corners, corners + rng.uniform(5, 20, (1, 40, 2))], axis=-1).astype("float32")
    proposals[0, 0] = [11, 10, 31, 30]  # IoU 0.9 with the first box
    sample = sample_rois(proposals, np.array([40]), true_boxes, true_labels, 16, 0.25, 0.5, seed=0)
    classes = ops.convert_to_numpy(sample.classes)[0]
    boxes, offsets = ops.convert_to_numpy(sample.boxes)[0], ops.convert_to_numpy(sample.offsets)[0]
    positive = classes > 0
    assert 2 <= positive.sum() <= 4  # the two true boxes at least; a quarter of 16 at most
    assert (classes != EMPTY).all()  # 42 candidates fill 16 slots
    for true_box, label in zip(true_boxes[0, :2], true_labels[0, :2], strict=False):
        row = np.flatnonzero((boxes == true_box).all(axis=1))
        assert row.size and classes[row[0]] == label + 1 and not offsets[row[0]].any()
    assert not offsets[~positive].any()
    # the offsets of each positive move its box onto its true box
    moved = ops.convert_to_numpy(decode(boxes[positive], offsets[positive]))
    assert iou_matrix(moved, true_boxes[0, :2]).max(axis=1) == pytest.approx(1.0, abs=1e-4)
    assert [11, 10, 31, 30] in boxes[positive].tolist()  # the proposal at IoU 0.9, drawn at random but sure to be


def test_empty_slots_when_a_picture_has_few_candidates():
    true_boxes = np.array([[[10, 10, 30, 30]]], "float32")
    sample = sample_rois(np.zeros((1, 4, 4), "float32"), np.array([1]), true_boxes, np.array([[0]]), 8, 0.5, 0.5, 0)
    classes = ops.convert_to_numpy(sample.classes)[0]
    assert sorted(classes.tolist()) == [EMPTY] * 6 + [0, 1]  # one proposal (background) and the true box


@pytest.fixture
def two_stage_config(tiny_config):
    """`tiny_config` with Faster R-CNN, few proposals and a narrow head, its data read and anchors fitted."""
    tiny_config.model.architecture = "faster_rcnn"
    tiny_config.rpn.train_proposals, tiny_config.rpn.proposals = 32, 16
    tiny_config.roi.per_image, tiny_config.roi.fc_width = 16, 32
    data.read_splits(tiny_config)
    return tiny_config


def test_faster_rcnn_scores_each_proposal_per_class_and_reloads_as_it_was(two_stage_config, tmp_path):
    config = two_stage_config
    classes, size = config.data.classes, config.data.image_size
    model = build_model(config, classes, size)
    pixels = np.random.default_rng(0).uniform(0, 255, (2, size, size, 3)).astype("float32")
    outputs = {key: ops.convert_to_numpy(value) for key, value in model(pixels).items()}
    assert outputs["boxes"].shape == (2, 16, len(classes), 4) and outputs["scores"].shape == (2, 16, len(classes))
    assert (outputs["scores"] >= 0).all() and (outputs["scores"].sum(axis=-1) <= 1 + 1e-5).all()
    assert (outputs["boxes"] >= 0).all() and (outputs["boxes"] <= size).all()
    model.save(tmp_path / "model.keras")
    reloaded = keras.saving.load_model(tmp_path / "model.keras", compile=False)
    assert class_names_of(reloaded) == classes
    for key, value in reloaded(pixels).items():
        np.testing.assert_allclose(ops.convert_to_numpy(value), outputs[key], atol=1e-5)
    found = Detector(reloaded, data.model_anchors(config), config.detect)(pixels, score_threshold=0.0)
    assert 0 < int(found["count"][0]) <= config.detect.max_detections


def test_the_numpy_proposals_of_the_export_are_the_models():
    """`portable.propose`, which chains the exported stages, against `proposals.propose`: the same boxes in the
    same order, offsets past the growth clamp and boxes under a pixel among them."""
    anchors, deltas, logits = anchors_and_outputs(seed=4)
    deltas[:, :20, 2:] = 30.0  # grows past LARGEST_LOG_GROWTH: clamped
    deltas[:, 20:40, 2:] = -30.0  # shrinks under SMALLEST_SIDE: dropped
    settings = {
        "image_size": 64,
        "box_decoding": {"variance": list(VARIANCE), "largest_log_growth": LARGEST_LOG_GROWTH},
        "rpn": {"pre_nms": 200, "nms_iou": 0.7, "proposals": 40, "smallest_side": SMALLEST_SIDE},
    }
    boxes, valid = propose(anchors, deltas, logits, pre_nms=200, count=40, iou_threshold=0.7, image_size=64.0)
    boxes, valid = ops.convert_to_numpy(boxes), ops.convert_to_numpy(valid)
    for image in range(2):
        found = portable.propose(anchors, deltas[image], logits[image], settings)
        assert len(found) == valid[image] > 10
        np.testing.assert_allclose(found, boxes[image, : valid[image]], atol=1e-4)


def test_backbone_weights_carry_over_between_architectures(two_stage_config, tmp_path):
    """`model.weights: <earlier run>.keras` copies the backbone from a RetinaNet run into Faster R-CNN, and back."""
    config = two_stage_config
    classes, size = config.data.classes, config.data.image_size
    config.model.architecture = "retinanet"
    build_model(config, classes, size).save(tmp_path / "retinanet.keras")
    source = build_model(config, classes, size)  # other random weights
    config.model.architecture, config.model.weights = "faster_rcnn", str(tmp_path / "retinanet.keras")
    two_stage = build_model(config, classes, size)
    saved = keras.saving.load_model(tmp_path / "retinanet.keras", compile=False)
    reference = {layer.name: layer for layer in backbone_layers(saved)}
    copied = [layer for layer in backbone_layers(two_stage) if layer.weights]
    assert copied and all(
        np.array_equal(a, b)
        for layer in copied
        for a, b in zip(layer.get_weights(), reference[layer.name].get_weights(), strict=True)
    )
    assert not np.array_equal(copied[0].get_weights()[0], source.get_layer(copied[0].name).get_weights()[0])
    two_stage.save(tmp_path / "two_stage.keras")
    config.model.architecture, config.model.weights = "retinanet", str(tmp_path / "two_stage.keras")
    back = build_model(config, classes, size)
    assert np.array_equal(back.get_layer(copied[0].name).get_weights()[0], copied[0].get_weights()[0])
