"""What each anchor learns: a class (or background, or nothing) and, when positive, the offsets to its box.

    targets = AnchorTargets(anchors, positive_iou=0.5, negative_iou=0.4)
    boxes, classes = targets(true_boxes, true_labels)   # batches padded with label -1, as the pipeline makes them

An anchor whose best IoU with a true box is at least `positive_iou` learns that box; below `negative_iou` with every
box it learns background; in between it is ignored. Each true box also claims the anchor it overlaps most, even
under `positive_iou`, so that a small or oddly shaped object still has an anchor to learn it (RetinaNet's
low-quality matches); padding rows claim none.

The targets are made in the `tf.data` pipeline, so in TensorFlow whatever the Keras backend: `pairwise_iou` and
`encode` are keras' `compute_iou` and `encode_box_to_deltas` (centre y, x and log height, width, over variance 0.1,
0.1, 0.2, 0.2), which run on the backend's ops; `decode` below, which runs on the model's outputs, inverts them.
"""

import tensorflow as tf
from keras import ops
from keras.utils import bounding_boxes

from .losses import BACKGROUND, IGNORED

VARIANCE = (0.1, 0.1, 0.2, 0.2)
EPSILON = 1e-7  # keras' backend.epsilon(), as in the functions these mirror


class AnchorTargets:
    """Callable: `(boxes (batch, N, 4) xyxy, labels (batch, N), -1 for padding)` -> `(box targets (batch, A, 5),
    class targets (batch, A))`, the rows `losses.BoxLoss` and `losses.FocalLoss` read."""

    def __init__(self, anchors, positive_iou=0.5, negative_iou=0.4):
        self.anchors = tf.constant(anchors, tf.float32)
        self.positive_iou, self.negative_iou = positive_iou, negative_iou

    def __call__(self, boxes, labels):
        boxes, labels = tf.cast(boxes, tf.float32), tf.cast(labels, tf.int32)
        real = labels >= 0
        # IoU of every anchor with every box, (batch, anchors, boxes); padding rows at -1, below any real IoU
        iou = tf.where(real[:, None, :], pairwise_iou(self.anchors, boxes), -1.0)
        best = tf.reduce_max(iou, axis=-1)
        matched = tf.argmax(iou, axis=-1, output_type=tf.int32)
        # each real box claims its closest anchor; the first box wins where two claim the same
        claims = tf.one_hot(tf.argmax(iou, axis=1), tf.shape(iou)[1]) * tf.cast(real, tf.float32)[..., None]
        claimed = tf.reduce_max(claims, axis=1) > 0
        matched = tf.where(claimed, tf.argmax(claims, axis=1, output_type=tf.int32), matched)
        positive = claimed | (best >= self.positive_iou)
        offsets = encode(self.anchors, tf.gather(boxes, matched, batch_dims=1))
        positive_float = tf.cast(positive, tf.float32)
        box_targets = tf.concat([offsets * positive_float[..., None], positive_float[..., None]], axis=-1)
        unmatched = tf.where(best < self.negative_iou, BACKGROUND, IGNORED)
        class_targets = tf.where(positive, tf.gather(labels, matched, batch_dims=1), unmatched)
        return box_targets, class_targets


def area(boxes):
    x_min, y_min, x_max, y_max = tf.unstack(boxes, axis=-1)
    return (x_max - x_min) * (y_max - y_min)


def pairwise_iou(anchors, boxes):
    """IoU of each anchor (A, 4) with each box (batch, N, 4), both xyxy: (batch, A, N)."""
    first, second = anchors[None, :, None, :], boxes[:, None, :, :]
    low, high = tf.maximum(first[..., :2], second[..., :2]), tf.minimum(first[..., 2:], second[..., 2:])
    sides = tf.maximum(high - low, 0.0)
    intersection = sides[..., 0] * sides[..., 1]
    return intersection / (area(first) + area(second) - intersection + EPSILON)


def centres_and_sizes(boxes):
    """xyxy -> `(centre y, x)`, `(height, width)`."""
    x_min, y_min, x_max, y_max = tf.unstack(boxes, axis=-1)
    return tf.stack([y_min + y_max, x_min + x_max], -1) / 2, tf.stack([y_max - y_min, x_max - x_min], -1)


def encode(anchors, boxes):
    """Offsets (batch, A, 4) of `boxes` (batch, A, 4) from `anchors` (A, 4), both xyxy."""
    anchor_centres, anchor_sizes = centres_and_sizes(anchors)
    centres, sizes = centres_and_sizes(boxes)
    anchor_sizes, sizes = tf.maximum(anchor_sizes, EPSILON), tf.maximum(sizes, EPSILON)
    offsets = tf.concat([(centres - anchor_centres) / anchor_sizes, tf.math.log(sizes / anchor_sizes)], axis=-1)
    return offsets / VARIANCE


def decode(anchors, offsets):
    """Box offsets (batch, A, 4) from `anchors` (A, 4) -> boxes (batch, A, 4) xyxy, the inverse of the encoding."""
    anchors = ops.broadcast_to(ops.convert_to_tensor(anchors, offsets.dtype)[None], ops.shape(offsets))
    return bounding_boxes.decode_deltas_to_boxes(
        anchors, offsets, anchor_format="xyxy", box_format="xyxy", variance=VARIANCE
    )
