"""Region proposals: the Region Proposal Network's scored anchors -> at most `count` boxes per picture.

Faster R-CNN's first stage (Ren et al., 2015) scores every anchor as object or background and regresses it towards
the object. Its `pre_nms` best-scored anchors are decoded into boxes, clipped to the picture, and thinned by
non-maximum suppression at `iou_threshold` (0.7: proposals may overlap more than detections do) to the `count` best.
The second stage classifies and refines these instead of every anchor. No gradient flows through the proposals:
each stage learns from its own loss, as in the approximate joint training of the paper.

    boxes, count = propose(anchors, deltas, logits, pre_nms=1000, count=100, iou_threshold=0.7, image_size=256)
    boxes[i, : count[i]]   # picture i's proposals, best first; the rows after them are zeros
"""

import math

import tensorflow as tf
from keras import ops
from keras.utils import bounding_boxes

from .targets import VARIANCE

# a box grows at most this much over its anchor per side (as Detectron's clamp), so exp() never overflows
LARGEST_LOG_GROWTH = math.log(1000.0 / 16.0)
SMALLEST_SIDE = 1.0  # proposals narrower or lower than this many pixels are dropped


def decode(anchors, deltas):
    """Box offsets `deltas` (..., 4) from `anchors` of the same shape -> xyxy boxes, sizes clamped."""
    limit = LARGEST_LOG_GROWTH / VARIANCE[2]
    deltas = ops.concatenate([deltas[..., :2], ops.minimum(deltas[..., 2:], limit)], axis=-1)
    return bounding_boxes.decode_deltas_to_boxes(
        anchors, deltas, anchor_format="xyxy", box_format="xyxy", variance=VARIANCE
    )


def propose(anchors, deltas, logits, pre_nms, count, iou_threshold, image_size):
    """`(boxes (B, count, 4) xyxy, valid (B,) int32)`: each picture's proposals from the RPN's `deltas` (B, A, 4)
    and objectness `logits` (B, A, 1) for `anchors` (A, 4), best first, zero rows after the `valid` ones."""
    deltas, logits = ops.stop_gradient(ops.cast(deltas, "float32")), ops.stop_gradient(ops.cast(logits, "float32"))
    scores = ops.sigmoid(logits[..., 0])
    best, index = ops.top_k(scores, min(pre_nms, int(anchors.shape[0])))
    chosen_anchors = ops.take(ops.convert_to_tensor(anchors, "float32"), index, axis=0)
    boxes = ops.clip(decode(chosen_anchors, ops.take_along_axis(deltas, index[..., None], axis=1)), 0.0, image_size)
    sides = ops.minimum(boxes[..., 2] - boxes[..., 0], boxes[..., 3] - boxes[..., 1])
    best = ops.where(sides >= SMALLEST_SIDE, best, 0.0)
    kept = tf.image.combined_non_max_suppression(
        boxes[:, :, None, :],
        best[:, :, None],
        max_output_size_per_class=count,
        max_total_size=count,
        iou_threshold=iou_threshold,
        score_threshold=1e-6,  # the dropped boxes score 0
        clip_boxes=False,
    )
    return kept.nmsed_boxes, kept.valid_detections
