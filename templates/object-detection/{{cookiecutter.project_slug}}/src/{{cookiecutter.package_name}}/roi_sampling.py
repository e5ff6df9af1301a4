"""What the second stage learns from: a sample of the proposals and the true boxes, with their targets.

Each picture's proposals and its true boxes (so the head sees perfect boxes from the first step, before the RPN
proposes any) are matched to the true boxes by IoU. Those at `positive_iou` or above learn the class of their box
and the offsets to it; the rest learn background. `count` of them are drawn at random per picture, at most
`positive_fraction` of them positive (Faster R-CNN: 128 and a quarter), so background does not swamp the objects.

    sample = sample_rois(proposals, valid, true_boxes, true_labels, count=64, positive_fraction=0.25,
                         positive_iou=0.5, seed=seed_generator)
    sample.boxes (B, count, 4); sample.classes (B, count): 0 background, c + 1 class c, -1 an empty slot;
    sample.offsets (B, count, 4) to the matched box, for the positive ones (which come first);
    sample.matched (B, count): the index of each one's closest true box

With masks, each positive one learns its box's mask as `mask_targets` cuts it out of the picture's map of objects.
"""

import dataclasses

import keras
from keras import ops
from keras.utils import bounding_boxes

from .targets import VARIANCE

EMPTY = -1  # a slot of the sample left empty: too few proposals in the picture


@dataclasses.dataclass
class RoiSample:
    boxes: object  # (B, count, 4) xyxy
    classes: object  # (B, count) int32: 0 background, c + 1 class c, EMPTY nothing
    offsets: object  # (B, count, 4): to the matched true box, zeros unless positive
    matched: object  # (B, count) int32: the closest true box


def sample_rois(proposals, valid, true_boxes, true_labels, count, positive_fraction, positive_iou, seed):
    """The sample of `proposals` (B, P, 4; the first `valid` (B,) of each picture real) and `true_boxes`
    (B, N, 4; label -1 on padding rows) described above; `seed` a `keras.random.SeedGenerator` or an int."""
    true_boxes, true_labels = ops.cast(true_boxes, "float32"), ops.cast(true_labels, "int32")
    batch = ops.shape(true_boxes)[0]
    # `count` unusable rows after them, so there are always `count` candidates to draw from
    candidates = ops.concatenate([ops.cast(proposals, "float32"), true_boxes, ops.zeros((batch, count, 4))], axis=1)
    proposed = ops.arange(ops.shape(proposals)[1])[None, :] < ops.cast(valid, "int32")[:, None]
    real = true_labels >= 0
    usable = ops.concatenate([proposed, real, ops.zeros((batch, count), "bool")], axis=1)
    iou = ops.where(real[:, None, :], bounding_boxes.compute_iou(candidates, true_boxes, "xyxy"), -1.0)
    best_iou, matched = ops.max(iou, axis=-1), ops.argmax(iou, axis=-1)
    positive = usable & (best_iou >= positive_iou)
    negative = usable & ~positive

    most = most_positive(count, positive_fraction)
    draw = keras.random.uniform(ops.shape(best_iou), seed=seed)
    positive_draw, positive_index = ops.top_k(ops.where(positive, draw, -1.0), most)
    negative_draw, negative_index = ops.top_k(ops.where(negative, draw, -1.0), count)
    positives = ops.sum(ops.cast(positive_draw >= 0, "int32"), axis=1, keepdims=True)
    slot = ops.arange(count)[None, :]
    from_positives = slot < positives
    negative_slot = ops.clip(slot - positives, 0, count - 1)
    index = ops.where(
        from_positives,
        ops.take_along_axis(positive_index, ops.minimum(slot, most - 1), axis=1),
        ops.take_along_axis(negative_index, negative_slot, axis=1),
    )
    filled = from_positives | (ops.take_along_axis(negative_draw, negative_slot, axis=1) >= 0)

    boxes = ops.take_along_axis(candidates, index[..., None], axis=1)
    box_match = ops.take_along_axis(matched, index, axis=1)
    labels = ops.take_along_axis(true_labels, box_match, axis=1)
    classes = ops.where(filled, ops.where(from_positives, labels + 1, 0), EMPTY)
    matched_boxes = ops.take_along_axis(true_boxes, box_match[..., None], axis=1)
    offsets = bounding_boxes.encode_box_to_deltas(
        boxes, matched_boxes, anchor_format="xyxy", box_format="xyxy", variance=VARIANCE
    )
    # where, not a product: the offsets of an empty slot's zero-size box are huge, and need not be finite
    return RoiSample(boxes, classes, ops.where(from_positives[..., None], offsets, 0.0), box_match)


def most_positive(count, positive_fraction):
    """The most positive slots a sample of `count` has: they come first."""
    return min(count, max(1, int(round(count * positive_fraction))))


def mask_targets(objects, boxes, matched, size):
    """What each box's mask is: (B, R, size, size) float32, 1 where the map of objects `objects` (B, H, W; k + 1 at
    object k's pixels) holds box r's `matched` object, read at the centres of a size x size grid over the box, at the
    nearest pixel."""
    batch, count = ops.shape(boxes)[0], ops.shape(boxes)[1]
    height, width = ops.shape(objects)[1], ops.shape(objects)[2]
    steps = (ops.arange(size, dtype="float32") + 0.5) / size
    boxes = ops.cast(boxes, "float32")
    x = boxes[..., 0:1] + (boxes[..., 2:3] - boxes[..., 0:1]) * steps  # (B, R, size), pixel i spans [i, i + 1)
    y = boxes[..., 1:2] + (boxes[..., 3:4] - boxes[..., 1:2]) * steps
    columns = ops.clip(ops.cast(ops.floor(x), "int32"), 0, width - 1)
    rows = ops.clip(ops.cast(ops.floor(y), "int32"), 0, height - 1)
    image = ops.arange(batch)[:, None, None, None] * height * width
    index = image + rows[..., :, None] * width + columns[..., None, :]  # (B, R, size, size)
    found = ops.take(ops.reshape(ops.cast(objects, "int32"), (-1,)), ops.reshape(index, (-1,)))
    found = ops.reshape(found, (batch, count, size, size))
    return ops.cast(found == ops.cast(matched, "int32")[..., None, None] + 1, "float32")
