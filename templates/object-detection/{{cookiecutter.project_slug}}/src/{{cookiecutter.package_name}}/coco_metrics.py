"""COCO box mAP, computed by pycocotools (the reference implementation) from boxes held in memory.

Boxes come in as `x1, y1, x2, y2` pixels with class indices 0..C-1, the way the rest of the project holds them;
COCO wants `x, y, width, height` and category ids 1..C, and numbers images from 1.

    truth = coco_ground_truth([(640, 480, true_boxes, true_labels)], ["cat", "dog"])
    scores = coco_scores(truth, coco_detections([(boxes, labels, confidences)]), ["cat", "dog"])
    scores["map"], scores["map_50"], scores["ap_dog"]
"""

import contextlib
import io

import numpy as np

# COCOeval.stats, in the order its summary prints them (AP at 100 detections per image)
STAT_NAMES = ("map", "map_50", "map_75", "map_small", "map_medium", "map_large")
ALL_AREAS, HUNDRED_DETECTIONS = 0, 2  # indices into COCOeval's areaRng and maxDets


def xywh(boxes: np.ndarray) -> np.ndarray:
    """`(n, 4)` boxes from x1, y1, x2, y2 to COCO's x, y, width, height."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    return np.concatenate([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]], axis=1)


def coco_ground_truth(images: list[tuple[int, int, np.ndarray, np.ndarray]], classes: list[str]) -> dict:
    """A COCO annotation dict from `(width, height, boxes (n, 4) xyxy pixels, labels (n,) 0..C-1)` per image.

    Image ids are 1, 2, ... in list order; category id c + 1 is `classes[c]`. An object's area is its box's, which
    decides whether it counts as small (under 32 x 32 pixels), medium or large (over 96 x 96).
    """
    annotations = []
    for image_id, (_, _, boxes, labels) in enumerate(images, start=1):
        for box, label in zip(xywh(boxes), np.asarray(labels).reshape(-1), strict=True):
            annotations.append(
                {
                    "id": len(annotations) + 1,
                    "image_id": image_id,
                    "category_id": int(label) + 1,
                    "bbox": box.tolist(),
                    "area": float(box[2] * box[3]),
                    "iscrowd": 0,
                }
            )
    return {
        "images": [{"id": i, "width": int(w), "height": int(h)} for i, (w, h, _, _) in enumerate(images, start=1)],
        "categories": [{"id": c + 1, "name": name} for c, name in enumerate(classes)],
        "annotations": annotations,
    }


def coco_detections(detections: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> list[dict]:
    """COCO results from `(boxes (m, 4) xyxy pixels, labels (m,) 0..C-1, scores (m,))` per image, in the order of
    the images given to `coco_ground_truth`."""
    results = []
    for image_id, (boxes, labels, scores) in enumerate(detections, start=1):
        labels, scores = np.asarray(labels).reshape(-1), np.asarray(scores).reshape(-1)
        for box, label, score in zip(xywh(boxes), labels, scores, strict=True):
            results.append(
                {"image_id": image_id, "category_id": int(label) + 1, "bbox": box.tolist(), "score": float(score)}
            )
    return results


def coco_scores(ground_truth: dict, detections: list[dict], classes: list[str]) -> dict[str, float]:
    """`map` (AP averaged over IoU 0.5:0.95), `map_50`, `map_75`, `map_small`, `map_medium`, `map_large` and
    `ap_<class>` (AP over IoU 0.5:0.95, all sizes) for each class, all from up to 100 detections per image.

    A key is left out where pycocotools has no objects to score (it reports -1): `map_large` when no object is
    large, `ap_<class>` for a class with no object, so every value is a number. No detections at all score 0.0.
    Prints nothing: pycocotools' progress lines and table are swallowed.
    """
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    with contextlib.redirect_stdout(io.StringIO()):
        truth = COCO()
        truth.dataset = ground_truth
        truth.createIndex()
        if detections:
            # loadRes writes ids and areas into the dicts it is given
            results = truth.loadRes([dict(detection) for detection in detections])
        else:
            # loadRes reads the first result to tell boxes from masks, so it fails on none
            results = COCO()
            results.dataset = {"images": ground_truth["images"], "categories": ground_truth["categories"]}
            results.dataset["annotations"] = []
            results.createIndex()
        evaluation = COCOeval(truth, results, iouType="bbox")
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()

    scores = {
        name: float(value)
        for name, value in zip(STAT_NAMES, evaluation.stats[: len(STAT_NAMES)], strict=True)
        if value > -1
    }
    # precision: (IoU thresholds, recall points, categories, areas, max detections), -1 where nothing to score
    precision = evaluation.eval["precision"][:, :, :, ALL_AREAS, HUNDRED_DETECTIONS]
    for category_id, name in enumerate(classes, start=1):
        values = precision[:, :, evaluation.params.catIds.index(category_id)]
        if np.any(values > -1):
            scores[f"ap_{name}"] = float(values[values > -1].mean())
    return scores
