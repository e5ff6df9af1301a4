"""Letterboxing and detection: per-class non-maximum suppression, thresholds, and boxes mapped back."""

import numpy as np
import pytest
import tensorflow as tf

from {{ cookiecutter.package_name }}.config import Detect
from {{ cookiecutter.package_name }}.inference import Detector, letterbox, per_image

# three anchors: the first two overlap at IoU 0.82, the third lies apart
ANCHORS = np.array([[10, 10, 50, 50], [12, 12, 52, 52], [80, 80, 100, 100]], np.float32)


def logit(probability):
    return float(np.log(probability / (1 - probability)))


class FixedOutputs:
    """A stand-in for the network: zero box offsets (boxes = anchors) and the given class probabilities."""

    def __init__(self, probabilities):
        self.logits = tf.constant([[[logit(p) for p in row] for row in probabilities]], tf.float32)

    def __call__(self, pixels, training=False):
        batch = tf.shape(pixels)[0]
        return {
            "boxes": tf.zeros((batch, len(ANCHORS), 4)),
            "classes": tf.repeat(self.logits, batch, axis=0),
        }


def detect(probabilities, **settings):
    detector = Detector(FixedOutputs(probabilities), ANCHORS, Detect(**settings))
    return per_image(detector(tf.zeros((1, 128, 128, 3))))[0]


def test_overlapping_boxes_of_different_classes_both_stay():
    """keras-hub's NonMaxSuppression is class-agnostic: the cat would suppress the dog it overlaps."""
    boxes, labels, scores = detect([[0.9, 0.01], [0.01, 0.8], [0.01, 0.01]])
    assert labels.tolist() == [0, 1]
    np.testing.assert_allclose(scores, [0.9, 0.8], rtol=1e-5)
    np.testing.assert_allclose(boxes, ANCHORS[:2], atol=1e-4)


def test_an_overlapping_box_of_the_same_class_is_suppressed_and_a_distant_one_kept():
    boxes, labels, scores = detect([[0.9, 0.01], [0.8, 0.01], [0.7, 0.01]])
    assert labels.tolist() == [0, 0]
    np.testing.assert_allclose(boxes, ANCHORS[[0, 2]], atol=1e-4)
    _, labels, _ = detect([[0.9, 0.01], [0.8, 0.01], [0.7, 0.01]], iou_threshold=0.9)
    assert labels.tolist() == [0, 0, 0]  # IoU 0.82 is under 0.9: no suppression


def test_scores_under_the_threshold_are_dropped_and_the_best_score_stays_known():
    probabilities = [[0.04, 0.01], [0.01, 0.2], [0.01, 0.01]]
    _, labels, _ = detect(probabilities)  # score_threshold 0.05 (for mAP): keeps 0.2 only
    assert labels.tolist() == [1]
    assert len(detect(probabilities, score_threshold=0.3)[1]) == 0
    detector = Detector(FixedOutputs(probabilities), ANCHORS, Detect(score_threshold=0.3))
    assert float(detector(tf.zeros((2, 128, 128, 3)))["best_score"][1]) == pytest.approx(0.2, rel=1e-5)


def test_letterbox_keeps_the_aspect_ratio_pads_below_and_right_and_maps_boxes_by_one_scale():
    picture = np.full((50, 100, 3), 200, np.uint8)
    picture[10:20, 30:60] = 0  # a dark box x 30..60, y 10..20
    pixels, scale = letterbox(picture, 64)
    pixels = pixels.numpy()
    assert pixels.shape == (64, 64, 3) and float(scale) == pytest.approx(0.64)
    assert pixels[:32, :, 0].min() < 50 and pixels[33:, :, :].max() == 0  # 50 x 0.64 = 32 rows, then padding
    dark_rows, dark_columns = np.nonzero(pixels[:32, :, 0] < 100)
    box = np.array([30, 10, 60, 20]) * float(scale)
    assert abs(dark_columns.min() - box[0]) <= 1 and abs(dark_columns.max() + 1 - box[2]) <= 1
    assert abs(dark_rows.min() - box[1]) <= 1 and abs(dark_rows.max() + 1 - box[3]) <= 1
