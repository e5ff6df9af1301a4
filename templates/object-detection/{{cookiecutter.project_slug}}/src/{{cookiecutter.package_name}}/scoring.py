"""COCO mAP of a model on annotated pictures: after every epoch (on the validation split and a sample of the
training pictures, so a gap between them shows), when training ends, and in `evaluate`.

Detections are scored in each picture's own pixels, so COCO's small / medium / large areas mean what they say. With
a mask head, the masks are scored too, by mask IoU: the same metrics prefixed `mask_` (`mask_map`, `mask_map_50`,
...).
"""

import keras
import numpy as np

from .coco_metrics import coco_detections, coco_ground_truth, coco_scores
from .data import letterbox_scale, model_anchors, pictures
from .inference import Detector, paste_mask, per_image, per_image_masks
from .masks import encode

HEADLINE = ("map", "map_50", "map_75")  # what each epoch adds to the logs, as `map` and `val_map`, ...
TRAINING_SAMPLE = 32  # training pictures scored each epoch, against the validation split


def detect_pictures(detector, images, batches, size):
    """`(detections, best scores, masks)`: `(boxes in the picture's own pixels, labels, scores)` for each of
    `images`, in order, each picture's highest class probability of any anchor, and with a mask head each picture's
    masks (a run-length dict per detection, in its own pixels), else None. `batches` are their letterboxed pixels at
    `size`, in the same order (`data.pictures`)."""
    found, best, grids = [], [], []
    for pixels in batches:
        shown = images[len(found) : len(found) + len(pixels)]
        extents = [[i.height * letterbox_scale(i, size), i.width * letterbox_scale(i, size)] for i in shown]
        detections = detector(pixels, extents=extents)
        found += per_image(detections)
        best += detections["best_score"].numpy().tolist()
        if "masks" in detections:
            grids += per_image_masks(detections)
    scaled = [
        (boxes / letterbox_scale(image, size), labels, scores)
        for image, (boxes, labels, scores) in zip(images, found, strict=True)
    ]
    if not grids:
        return scaled, best, None
    masks = [
        [encode(paste_mask(grid, box, image.width, image.height)) for grid, box in zip(image_grids, boxes, strict=True)]
        for image, image_grids, (boxes, _, _) in zip(images, grids, scaled, strict=True)
    ]
    return scaled, best, masks


class Scorer:
    """Callable: a model -> `(metrics, detections)`, the COCO metrics (`coco_metrics.coco_scores`) of its detections
    on `images`. The ground truth and the pictures' batches are made once; with `cache`, the decoded pictures stay
    in memory after the first call, for a scorer called every epoch."""

    def __init__(self, images, config, anchors, cache=False):
        self.images, self.config, self.anchors = images, config, anchors
        self.batches = pictures(images, config.data.image_size, config.data.batch_size, cache)
        boxes = [(i.width, i.height, i.boxes, i.labels) for i in images]
        self.masks = config.model.masks
        self.truth = coco_ground_truth(boxes, config.data.classes, [i.masks for i in images] if self.masks else None)

    def __call__(self, model):
        detector = Detector(model, self.anchors, self.config.detect)
        found, _, masks = detect_pictures(detector, self.images, self.batches, self.config.data.image_size)
        classes = self.config.data.classes
        metrics = coco_scores(self.truth, coco_detections(found), classes)
        if masks is not None:
            segm = coco_scores(self.truth, coco_detections(found, masks), classes, "segm")
            metrics.update({f"mask_{name}": value for name, value in segm.items()})
        return metrics, found


def score(model, images, config):
    """`(metrics, detections)` of `model` on `images`, once (`Scorer`)."""
    return Scorer(images, config, model_anchors(config))(model)


def print_scores(metrics, classes):
    """The metrics by their `metrics.json` names, then AP per class (COCO's AP@[.5:.95])."""
    for prefix in ("", "mask_"):
        for key in (f"{prefix}{name}" for name in ("map", "map_50", "map_75", "map_small", "map_medium", "map_large")):
            if key in metrics:
                print(f"{key:>17}: {metrics[key]:.4f}")
    masks = "mask_map" in metrics
    print(f"\n{'class':<20} {'ap':>7}" + (f" {'mask ap':>8}" if masks else ""))
    for name in classes:
        if f"ap_{name}" in metrics:
            mask = f" {metrics.get(f'mask_ap_{name}', float('nan')):>8.3f}" if masks else ""
            print(f"{name:<20} {metrics[f'ap_{name}']:>7.3f}{mask}")
    print(flush=True)


class MeanAveragePrecision(keras.callbacks.Callback):
    """After each epoch, `map`, `map_50`, `map_75` of a sample of the training pictures and `val_map`, ... of the
    validation pictures, into the logs that the checkpoints, early stopping, history and TensorBoard read."""

    def __init__(self, config, anchors, train_images, val_images):
        super().__init__()
        sample = np.random.default_rng(config.train.seed).permutation(len(train_images))[:TRAINING_SAMPLE]
        sampled = [train_images[i] for i in sorted(sample)]
        self.scorers = {
            prefix: Scorer(images, config, anchors, cache=True)
            for prefix, images in (("", sampled), ("val_", val_images))
        }

    def on_epoch_end(self, epoch, logs=None):
        for prefix, scorer in self.scorers.items():
            metrics, _ = scorer(self.model)
            for name in (*HEADLINE, *(f"mask_{name}" for name in HEADLINE if f"mask_{name}" in metrics)):
                logs[f"{prefix}{name}"] = metrics[name]
