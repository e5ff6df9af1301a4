"""What each anchor learns: a class (or background, or nothing) and, when positive, the offsets to its box.

    targets = AnchorTargets(anchors, positive_iou=0.5, negative_iou=0.4)
    boxes, classes = targets(true_boxes, true_labels)   # batches padded with label -1, as the pipeline makes them

An anchor whose best IoU with a true box is at least `positive_iou` learns that box; below `negative_iou` with every
box it learns background; in between it is ignored. Each true box also claims the anchor it overlaps most, even
under `positive_iou`, so that a small or oddly shaped object still has an anchor to learn it (RetinaNet's
low-quality matches). keras-hub's `BoxMatcher` applies the thresholds; its own forced matching is left off, because
it forces the padding rows of a batch as well (each padded box would claim anchor 0).

Offsets are keras' `encode_box_to_deltas` (centre y, x and log height, width, over variance 0.1, 0.1, 0.2, 0.2);
`decode` below inverts them.
"""

from keras import ops
from keras.utils import bounding_boxes

from .losses import BACKGROUND, IGNORED

VARIANCE = (0.1, 0.1, 0.2, 0.2)


class AnchorTargets:
    """Callable: `(boxes (batch, N, 4) xyxy, labels (batch, N), -1 for padding)` -> `(box targets (batch, A, 5),
    class targets (batch, A))`, the rows `losses.BoxLoss` and `losses.FocalLoss` read."""

    def __init__(self, anchors, positive_iou=0.5, negative_iou=0.4):
        from keras_hub.layers import BoxMatcher

        self.anchors = ops.convert_to_tensor(anchors, "float32")
        self.matcher = BoxMatcher(thresholds=[negative_iou, positive_iou], match_values=[-1, -2, 1])

    def __call__(self, boxes, labels):
        boxes, labels = ops.cast(boxes, "float32"), ops.cast(labels, "int32")
        real = labels >= 0
        # IoU of every anchor with every box, (batch, anchors, boxes); padding rows at -1, below any real IoU
        iou = ops.where(real[:, None, :], bounding_boxes.compute_iou(self.anchors, boxes, "xyxy"), -1.0)
        matched, verdict = self.matcher(iou)
        # each real box claims its closest anchor; the first box wins where two claim the same
        claims = ops.one_hot(ops.argmax(iou, axis=1), ops.shape(iou)[1]) * ops.cast(real, "float32")[..., None]
        claimed = ops.max(claims, axis=1) > 0
        matched = ops.where(claimed, ops.cast(ops.argmax(claims, axis=1), "int32"), matched)
        positive = claimed | (verdict == 1)
        matched_boxes = ops.take_along_axis(boxes, matched[..., None], axis=1)
        matched_labels = ops.take_along_axis(labels, matched, axis=1)
        anchors = ops.broadcast_to(self.anchors[None], ops.shape(matched_boxes))
        offsets = bounding_boxes.encode_box_to_deltas(
            anchors, matched_boxes, anchor_format="xyxy", box_format="xyxy", variance=VARIANCE
        )
        positive_float = ops.cast(positive, "float32")
        box_targets = ops.concatenate([offsets * positive_float[..., None], positive_float[..., None]], axis=-1)
        class_targets = ops.where(positive, matched_labels, ops.where(verdict == -1, BACKGROUND, IGNORED))
        return box_targets, class_targets


def decode(anchors, offsets):
    """Box offsets (batch, A, 4) from `anchors` (A, 4) -> boxes (batch, A, 4) xyxy, the inverse of the encoding."""
    anchors = ops.broadcast_to(ops.convert_to_tensor(anchors, offsets.dtype)[None], ops.shape(offsets))
    return bounding_boxes.decode_deltas_to_boxes(
        anchors, offsets, anchor_format="xyxy", box_format="xyxy", variance=VARIANCE
    )
