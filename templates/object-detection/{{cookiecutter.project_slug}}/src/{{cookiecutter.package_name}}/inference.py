"""From pictures to detections: letterboxing in, decoding and per-class non-maximum suppression out.

    height, width = image.shape[:2]
    pixels, scale = letterbox(image, 256)         # the whole picture, longer side 256, padded below and right
    detections = Detector(model, anchors, config.detect)(pixels[None], extents=[[height * scale, width * scale]])
    boxes = detections["boxes"][0][: detections["count"][0]] / scale   # back in the picture's own pixels

Non-maximum suppression runs per class (TensorFlow's `combined_non_max_suppression`): keras-hub's
`NonMaxSuppression` treats all classes as one, so a cat would suppress the dog it overlaps, and it needs the batch
size known where a SavedModel serves any.
"""

import numpy as np
import tensorflow as tf
from keras import ops

from .targets import decode


def letterbox(image, size):
    """A picture (h, w, 3) -> `(pixels (size, size, 3) float32 0-255, scale)`: resized so its longer side is `size`,
    aspect ratio kept, zero-padded below and to the right, so a box maps back by dividing by `scale`."""
    height, width = tf.unstack(tf.cast(tf.shape(image)[:2], tf.float32))
    scale = size / tf.maximum(height, width)
    new_size = tf.cast(tf.round(tf.stack([height, width]) * scale), tf.int32)
    resized = tf.image.resize(tf.cast(image, tf.float32), new_size, antialias=True)
    padded = tf.image.pad_to_bounding_box(tf.clip_by_value(resized, 0.0, 255.0), 0, 0, size, size)
    return padded, scale


class Detector:
    """Callable: letterboxed pixels (batch, size, size, 3) -> `{"boxes" (batch, max, 4) xyxy in those pixels,
    "scores" (batch, max), "classes" (batch, max) int32, "count" (batch,) int32, "best_score" (batch,)}`; rows
    past `count` are padding. `best_score` is the highest class probability of any anchor (Faster R-CNN: proposal),
    before any threshold. A model with a mask head adds `"masks"` (batch, max, M, M): each box's mask
    probabilities on an M x M grid over the box (`paste_mask` puts one into its picture)."""

    def __init__(self, model, anchors, detect_config):
        self.model = model
        self.anchors = tf.constant(anchors, tf.float32)
        self.config = detect_config

    def candidates(self, outputs):
        """`(boxes (batch, N, 1 or classes, 4) xyxy, scores (batch, N, classes))` before NMS, from the model's
        `outputs`: RetinaNet's anchors decoded, one box per anchor shared by every class, with sigmoid scores; or
        Faster R-CNN's refined proposals, a box per class, with softmax scores."""
        if "scores" in outputs:
            return tf.cast(outputs["boxes"], tf.float32), tf.cast(outputs["scores"], tf.float32)
        boxes = decode(self.anchors, ops.cast(outputs["boxes"], "float32"))[:, :, None, :]
        return boxes, tf.sigmoid(tf.cast(outputs["classes"], tf.float32))

    def __call__(self, pixels, score_threshold=None, extents=None):
        """`extents` (batch, 2): the height and width each picture fills of the letterboxed square (its size times
        the scale), which boxes are clipped to; None: the whole square."""
        outputs = self.model(pixels, training=False)
        boxes, scores = self.candidates(outputs)
        if extents is None:
            extents = tf.fill([tf.shape(pixels)[0], 2], tf.cast(tf.shape(pixels)[1], tf.float32))
        height, width = tf.unstack(tf.cast(extents, tf.float32)[:, None, None, :], axis=-1)
        limits = tf.stack([width, height, width, height], axis=-1)  # x_max, y_max of each picture, for x and y
        boxes = tf.minimum(tf.maximum(boxes, 0.0), limits)
        config = self.config
        kept = tf.image.combined_non_max_suppression(
            boxes,
            scores,
            max_output_size_per_class=config.max_detections,
            max_total_size=config.max_detections,
            iou_threshold=config.iou_threshold,
            score_threshold=config.score_threshold if score_threshold is None else score_threshold,
            clip_boxes=False,  # boxes are in pixels, not in [0, 1]
        )
        found = {
            "boxes": kept.nmsed_boxes,
            "scores": kept.nmsed_scores,
            "classes": tf.cast(kept.nmsed_classes, tf.int32),
            "count": kept.valid_detections,
            "best_score": tf.reduce_max(scores, axis=[1, 2]),
        }
        if getattr(self.model, "mask_head", None) is not None:
            found["masks"] = self.model.masks_of(outputs, found["boxes"], found["classes"])
        return found


def per_image(detections):
    """The detections of a batch as numpy, one `(boxes (n, 4), labels (n,), scores (n,))` per image."""
    found = []
    for boxes, classes, scores, count in zip(
        *(detections[key].numpy() for key in ("boxes", "classes", "scores", "count")), strict=True
    ):
        found.append((boxes[:count], classes[:count], scores[:count]))
    return found


def per_image_masks(detections):
    """The mask probabilities of a batch's detections as numpy, one (n, M, M) array per image."""
    counts = detections["count"].numpy()
    return [masks[:count] for masks, count in zip(detections["masks"].numpy(), counts, strict=True)]


def paste_mask(probabilities, box, width, height, threshold=0.5):
    """One detection's mask in its picture: (height, width) bool, the M x M `probabilities` over `box` (x_min,
    y_min, x_max, y_max in the picture's pixels) resized bilinearly to the box and cut at `threshold`."""
    from PIL import Image

    mask = np.zeros((height, width), bool)
    left, top = int(np.floor(max(box[0], 0))), int(np.floor(max(box[1], 0)))
    right, bottom = int(np.ceil(min(box[2], width))), int(np.ceil(min(box[3], height)))
    if right <= left or bottom <= top:
        return mask
    grid = Image.fromarray(np.asarray(probabilities, np.float32), mode="F")
    resized = np.asarray(grid.resize((right - left, bottom - top), Image.BILINEAR))
    mask[top:bottom, left:right] = resized >= threshold
    return mask


def confident(detections, threshold):
    """One picture's `(boxes, labels, scores)`, only those scored at least `threshold`."""
    boxes, labels, scores = detections
    kept = scores >= threshold
    return boxes[kept], labels[kept], scores[kept]
