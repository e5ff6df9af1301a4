"""COCO box and mask mAP, computed by pycocotools (the reference implementation) from boxes held in memory.

Boxes come in as `x1, y1, x2, y2` pixels with class indices 0..C-1, the way the rest of the project holds them;
COCO wants `x, y, width, height` and category ids 1..C, and numbers images from 1. Masks come in as run-length dicts
(`masks.py`), one per box.

    truth = coco_ground_truth([(640, 480, true_boxes, true_labels)], ["cat", "dog"])
    scores = coco_scores(truth, coco_detections([(boxes, labels, confidences)]), ["cat", "dog"])
    scores["map"], scores["map_50"], scores["ap_dog"]
    # masks: the truth's and the detections' run-lengths, and the mask IoU
    truth = coco_ground_truth([(640, 480, true_boxes, true_labels)], ["cat", "dog"], masks=[true_masks])
    scores = coco_scores(truth, coco_detections([(boxes, labels, confidences)], [masks]), ["cat", "dog"], "segm")
"""

import contextlib
import io
from typing import Optional

import numpy as np

# COCOeval.stats, in the order its summary prints them (AP at 100 detections per image)
STAT_NAMES = ("map", "map_50", "map_75", "map_small", "map_medium", "map_large")
ALL_AREAS, HUNDRED_DETECTIONS = 0, 2  # indices into COCOeval's areaRng and maxDets


def xywh(boxes: np.ndarray) -> np.ndarray:
    """`(n, 4)` boxes from x1, y1, x2, y2 to COCO's x, y, width, height."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    return np.concatenate([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]], axis=1)


def coco_ground_truth(
    images: list[tuple[int, int, np.ndarray, np.ndarray]], classes: list[str], masks: Optional[list] = None
) -> dict:
    """A COCO annotation dict from `(width, height, boxes (n, 4) xyxy pixels, labels (n,) 0..C-1)` per image, and
    with `masks` (per image, a run-length dict per box) their segmentations.

    Image ids are 1, 2, ... in list order; category id c + 1 is `classes[c]`. An object's area is its box's, or its
    mask's when masks are given (as in COCO's own files), which decides whether it counts as small (under 32 x 32
    pixels), medium or large (over 96 x 96).
    """
    annotations = []
    for image_id, (_, _, boxes, labels) in enumerate(images, start=1):
        image_masks = masks[image_id - 1] if masks is not None else [None] * len(boxes)
        for box, label, mask in zip(xywh(boxes), np.asarray(labels).reshape(-1), image_masks, strict=True):
            annotation = {
                "id": len(annotations) + 1,
                "image_id": image_id,
                "category_id": int(label) + 1,
                "bbox": box.tolist(),
                "area": float(box[2] * box[3]),
                "iscrowd": 0,
            }
            if mask is not None:
                annotation.update(segmentation=_json_rle(mask), area=float(_mask_area(mask)))
            annotations.append(annotation)
    return {
        "images": [{"id": i, "width": int(w), "height": int(h)} for i, (w, h, _, _) in enumerate(images, start=1)],
        "categories": [{"id": c + 1, "name": name} for c, name in enumerate(classes)],
        "annotations": annotations,
    }


def coco_detections(detections: list[tuple[np.ndarray, np.ndarray, np.ndarray]], masks=None) -> list[dict]:
    """COCO results from `(boxes (m, 4) xyxy pixels, labels (m,) 0..C-1, scores (m,))` per image, in the order of
    the images given to `coco_ground_truth`; with `masks` (per image, a run-length dict per detection), each
    result's segmentation too."""
    results = []
    for image_id, (boxes, labels, scores) in enumerate(detections, start=1):
        labels, scores = np.asarray(labels).reshape(-1), np.asarray(scores).reshape(-1)
        image_masks = masks[image_id - 1] if masks is not None else [None] * len(scores)
        for box, label, score, mask in zip(xywh(boxes), labels, scores, image_masks, strict=True):
            result = {"image_id": image_id, "category_id": int(label) + 1, "bbox": box.tolist(), "score": float(score)}
            if mask is not None:
                result["segmentation"] = _json_rle(mask)
            results.append(result)
    return results


def _json_rle(rle):
    """A run-length dict as JSON holds it: counts as text."""
    counts = rle["counts"]
    return {"size": list(rle["size"]), "counts": counts.decode("ascii") if isinstance(counts, bytes) else counts}


def _mask_area(rle):
    from pycocotools import mask as coco_mask

    return coco_mask.area({"size": list(rle["size"]), "counts": rle["counts"]})


def coco_scores(
    ground_truth: dict, detections: list[dict], classes: list[str], iou_type: str = "bbox"
) -> dict[str, float]:
    """For boxes (`iou_type` "bbox") or masks ("segm"): `map` (AP averaged over IoU 0.5:0.95), `map_50`,
    `map_75`, `map_small`, `map_medium`, `map_large` and `ap_<class>` (AP over IoU 0.5:0.95, all sizes) for each
    class, all from up to 100 detections per image.

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
        evaluation = COCOeval(truth, results, iouType=iou_type)
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
