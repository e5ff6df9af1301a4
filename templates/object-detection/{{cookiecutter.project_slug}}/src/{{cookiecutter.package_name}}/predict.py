"""Detections for image files or folders: each picture with its boxes drawn, a table, and COCO results.

- `NNNN_<name>.png`: the picture with the boxes scored at least `detect.draw_threshold` (and with a mask head,
  each one's mask filled in a colour of its own)
- `predictions.csv`: per picture its detections at that threshold, the best class and score
- `detections.csv`: one row per drawn box, in the picture's own pixels
- `detections.json`: every detection from `detect.score_threshold`, in COCO's results format (bbox x, y, w, h,
  and the mask's run-lengths as `segmentation`), with the picture's `file_name`, for COCO tools and mAP against
  your own annotations
"""

import csv
import json
from pathlib import Path

import numpy as np
from PIL import Image

from .box_files import AnnotatedImage
from .box_pictures import draw_boxes, fill_instances
from .coco_metrics import coco_detections
from .data import model_anchors, pictures
from .datasets.image_files import list_inputs, read_rgb
from .inference import Detector, confident
from .masks import decode
from .model import load_trained
from .runtime.files import write_text
from .scoring import detect_pictures


def pictures_of(paths):
    """Pictures to detect in, as the pipeline takes them: path and size, no boxes."""
    found = []
    for path in paths:
        with Image.open(path) as picture:
            width, height = picture.size
        found.append(AnnotatedImage(Path(path), width, height, np.zeros((0, 4), np.float32), np.zeros(0, np.int32)))
    return found


def predict(config, run, inputs, output):
    """Writes the drawn pictures, `predictions.csv`, `detections.csv` and `detections.json` into `output`."""
    model = load_trained(run)
    classes = config.data.classes
    paths = list_inputs(inputs)
    detector = Detector(model, model_anchors(config), config.detect)
    images, size = pictures_of(paths), config.data.image_size
    found, best, masks = detect_pictures(detector, images, pictures(images, size, config.data.batch_size), size)
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    results = coco_detections(found, masks)  # image ids 1, 2, ... in input order
    for result in results:
        result["file_name"], result["category"] = paths[result["image_id"] - 1], classes[result["category_id"] - 1]
        result["bbox"], result["score"] = [round(v, 2) for v in result["bbox"]], round(result["score"], 5)
    rows, boxes_rows = [], []
    for index, (path, (boxes, labels, scores), top) in enumerate(zip(paths, found, best, strict=True)):
        shown = scores >= config.detect.draw_threshold
        boxes, labels, scores = confident((boxes, labels, scores), config.detect.draw_threshold)
        picture = f"{index:04d}_{Path(path).stem}.png"  # numbered: two inputs may share a file name
        pixels = read_rgb(path)
        if masks is not None:
            drawn = [decode(rle) for rle, keep in zip(masks[index], shown, strict=True) if keep]
            pixels = fill_instances(pixels, drawn)
        Image.fromarray(draw_boxes(pixels, boxes, labels, classes, scores)).save(output / picture)
        first = int(np.argmax(scores)) if len(scores) else None
        rows.append([path, picture, len(scores), classes[labels[first]] if first is not None else "", f"{top:.6f}"])
        boxes_rows += [
            [path, classes[label], f"{score:.4f}", *(f"{v:.1f}" for v in box)]
            for box, label, score in zip(boxes, labels, scores, strict=True)
        ]
    table = output / "predictions.csv"
    write_csv(table, ["path", "picture", "detections", "best_class", "best_score"], rows)
    write_csv(output / "detections.csv", ["path", "class", "score", "x_min", "y_min", "x_max", "y_max"], boxes_rows)
    write_text(output / "detections.json", json.dumps(results, indent=1))
    for row in rows:
        print(f"{row[1]:<32} {row[2]:>3} boxes  {row[3]:<16} {row[0]}")
    print(
        f"wrote {len(rows)} pictures with boxes from score {config.detect.draw_threshold} to {output}, {table}, "
        f"and {len(results)} detections from score {config.detect.score_threshold} to detections.json"
    )
    return table


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
