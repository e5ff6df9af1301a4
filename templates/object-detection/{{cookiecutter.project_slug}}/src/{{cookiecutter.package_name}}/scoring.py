"""COCO mAP of a model on annotated pictures: after every epoch (on the validation split and a sample of the
training pictures, so a gap between them shows), when training ends, and in `evaluate`.

Detections are scored in each picture's own pixels, so COCO's small / medium / large areas mean what they say.
"""

import keras
import numpy as np

from .coco_metrics import coco_detections, coco_ground_truth, coco_scores
from .data import letterbox_scale, model_anchors, pictures
from .inference import Detector, per_image

HEADLINE = ("map", "map_50", "map_75")  # what each epoch adds to the logs, as `map` and `val_map`, ...
TRAINING_SAMPLE = 32  # training pictures scored each epoch, against the validation split


def detect_pictures(detector, images, size, batch_size):
    """`(detections, best scores)`: `(boxes in the picture's own pixels, labels, scores)` for each of `images`, in
    order, and each picture's highest class probability of any anchor."""
    found, best = [], []
    for start, pixels in zip(range(0, len(images), batch_size), pictures(images, size, batch_size), strict=True):
        extents = [
            [i.height * letterbox_scale(i, size), i.width * letterbox_scale(i, size)]
            for i in images[start : start + batch_size]
        ]
        detections = detector(pixels, extents=extents)
        found += per_image(detections)
        best += detections["best_score"].numpy().tolist()
    scaled = [
        (boxes / letterbox_scale(image, size), labels, scores)
        for image, (boxes, labels, scores) in zip(images, found, strict=True)
    ]
    return scaled, best


def score(model, images, config):
    """`(metrics, detections)`: the COCO metrics (`coco_metrics.coco_scores`) of `model` on `images`."""
    detector = Detector(model, model_anchors(config), config.detect)
    found, _ = detect_pictures(detector, images, config.data.image_size, config.data.batch_size)
    truth = coco_ground_truth([(i.width, i.height, i.boxes, i.labels) for i in images], config.data.classes)
    return coco_scores(truth, coco_detections(found), config.data.classes), found


def print_scores(metrics, classes):
    """The metrics by their `metrics.json` names, then AP per class (COCO's AP@[.5:.95])."""
    for key in ("map", "map_50", "map_75", "map_small", "map_medium", "map_large"):
        if key in metrics:
            print(f"{key:>12}: {metrics[key]:.4f}")
    print(f"\n{'class':<20} {'ap':>7}")
    for name in classes:
        if f"ap_{name}" in metrics:
            print(f"{name:<20} {metrics[f'ap_{name}']:>7.3f}")
    print(flush=True)


class MeanAveragePrecision(keras.callbacks.Callback):
    """After each epoch, `map`, `map_50`, `map_75` of a sample of the training pictures and `val_map`, ... of the
    validation pictures, into the logs that the checkpoints, early stopping, history and TensorBoard read."""

    def __init__(self, config, train_images, val_images):
        super().__init__()
        self.config = config
        sample = np.random.default_rng(config.train.seed).permutation(len(train_images))[:TRAINING_SAMPLE]
        self.splits = {"": [train_images[i] for i in sorted(sample)], "val_": val_images}

    def on_epoch_end(self, epoch, logs=None):
        for prefix, images in self.splits.items():
            metrics, _ = score(self.model, images, self.config)
            for name in HEADLINE:
                logs[f"{prefix}{name}"] = metrics[name]
