"""COCO mAP through pycocotools: known answers for perfect, partial, shifted and missing detections."""

import numpy as np
import pytest
from pycocotools import mask as mask_utils

from {{ cookiecutter.package_name }}.coco_metrics import coco_detections, coco_ground_truth, coco_scores, xywh

CLASSES = ["cat", "dog", "owl"]


def scores_for(truth_images, detections, classes=CLASSES):
    return coco_scores(coco_ground_truth(truth_images, classes), coco_detections(detections), classes)


def image(boxes, labels, size=(200, 160)):
    return (*size, np.array(boxes, dtype=np.float32).reshape(-1, 4), np.array(labels))


def found(boxes, labels, scores):
    return np.array(boxes, dtype=np.float32).reshape(-1, 4), np.array(labels), np.array(scores)


def test_perfect_detections_score_one(capsys):
    truth = [image([[10, 10, 30, 30], [50, 40, 150, 150]], [0, 1]), image([[0, 0, 60, 50]], [0])]
    scores = scores_for(truth, [found(boxes, labels, [0.9] * len(labels)) for _, _, boxes, labels in truth])
    assert scores == pytest.approx(
        {
            "map": 1.0,
            "map_50": 1.0,
            "map_75": 1.0,
            "map_small": 1.0,  # 20 x 20
            "map_medium": 1.0,  # 60 x 50
            "map_large": 1.0,  # 100 x 110
            "ap_cat": 1.0,
            "ap_dog": 1.0,
        }
    )
    assert capsys.readouterr().out == ""


def test_one_of_two_objects_found_reaches_half_the_recall_points():
    truth = [image([[10, 10, 60, 60], [100, 100, 150, 150]], [0, 0])]
    scores = scores_for(truth, [found([[10, 10, 60, 60]], [0], [0.8])])
    # precision 1 at the 51 recall points 0, 0.01, ..., 0.5 of 101, 0 beyond
    assert scores["map"] == pytest.approx(51 / 101)
    assert scores["ap_cat"] == pytest.approx(51 / 101)


def test_iou_of_0_62_counts_at_0_5_and_not_at_0_75():
    truth = [image([[0, 0, 100, 100]], [1])]
    scores = scores_for(truth, [found([[0, 0, 100, 62]], [1], [0.7])])  # IoU 6200 / 10000
    # matched at the thresholds 0.5, 0.55 and 0.6 of ten; only large objects, so no small or medium key
    assert scores == pytest.approx({"map": 0.3, "map_50": 1.0, "map_75": 0.0, "map_large": 0.3, "ap_dog": 0.3})


def test_no_detections_score_zero(capsys):
    truth = [image([[10, 10, 30, 30]], [0]), image([[0, 0, 100, 100]], [2])]
    scores = scores_for(truth, [found([], [], []), found([], [], [])])
    zeros = ("map", "map_50", "map_75", "map_small", "map_large", "ap_cat", "ap_owl")  # no medium object, no dog
    assert scores == dict.fromkeys(zeros, 0.0)
    assert capsys.readouterr().out == ""


def test_each_class_scores_on_its_own_and_absent_classes_have_no_key():
    truth = [image([[10, 10, 60, 60]], [0]), image([[20, 20, 90, 70]], [1])]
    # the dog is found as a cat, in the wrong image
    detections = [found([[10, 10, 60, 60]], [0], [0.9]), found([[20, 20, 90, 70]], [0], [0.8])]
    scores = scores_for(truth, detections)
    assert scores["ap_dog"] == 0.0
    # cat: the true hit ranks first, so precision is 1 up to recall 1
    assert scores["ap_cat"] == pytest.approx(1.0)
    assert "ap_owl" not in scores
    assert scores["map"] == pytest.approx(0.5)


def test_detections_are_coco_results_in_xywh_and_one_based_ids():
    results = coco_detections([found([], [], []), found([[10, 20, 50, 80]], [2], [0.25])])
    assert results == [{"image_id": 2, "category_id": 3, "bbox": [10.0, 20.0, 40.0, 60.0], "score": 0.25}]


def test_xywh_boxes_give_pycocotools_the_iou_of_the_xyxy_boxes():
    first, second = np.array([[10, 20, 50, 80]]), np.array([[30, 40, 70, 100]])
    # overlap 20 x 40 = 800 of two 40 x 60 boxes: 800 / (2400 + 2400 - 800)
    iou = mask_utils.iou(xywh(first).tolist(), xywh(second).tolist(), [0])
    np.testing.assert_allclose(iou, [[0.2]])
