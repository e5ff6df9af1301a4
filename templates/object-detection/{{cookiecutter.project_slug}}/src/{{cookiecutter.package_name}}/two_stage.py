"""Faster R-CNN (Ren et al., 2015) with a feature pyramid (Lin et al., 2017): propose regions, then look closer.

    image -> backbone -> feature pyramid --> RPN head (shared by the levels): per anchor, object or not, and offsets
                                  |                       |
                                  |          proposals: best anchors decoded, NMS at 0.7, top `proposals`
                                  |                       |
                                  +--> ROI Align (7 x 7 from the level of each proposal's size)
                                                          |
                                     box head: 2 fully connected layers -> class (softmax over classes and
                                     background) and, per class, offsets refining the proposal

Training runs both stages on each batch (`train_step`): the RPN learns from its anchor targets (made in the data
pipeline, as the single-stage model's, one class "object"), with the focal loss over every anchor instead of the
paper's 256 sampled ones; the head learns from a sample of the proposals and the true boxes (`roi_sampling.py`).
The four losses are logged: `rpn_objectness`, `rpn_box`, `head_class`, `head_box`.

With `mask_head` (Mask R-CNN, He et al., 2017), a third head predicts each positive sample's mask on a small grid
over its box, one per class, and learns the true class' one by binary cross-entropy against the object's pixels
(`roi_sampling.mask_targets`), logged as `mask`.

Called on pictures, the model returns `{"boxes": (B, R, classes, 4) xyxy, "scores": (B, R, classes)}`: every
proposal's refined box and probability for each class (0 for the padding rows); `inference.Detector` then runs
per-class NMS, as it does for the single-stage model's anchors, and asks `masks_of` for the masks of the boxes it
kept (with a mask head, the outputs also hold the pyramid's levels for it).

TensorFlow only: the training step records gradients with `tf.GradientTape`, and proposals use TensorFlow's NMS.
The ONNX and LiteRT exports hold the networks around the NMS, which `portable.py` chains with numpy.
"""

import keras
import tensorflow as tf
from keras import ops

from . import anchors as anchor_boxes
from .losses import BoxLoss, FocalLoss, huber
from .proposals import decode, propose
from .roi_sampling import EMPTY, mask_targets, most_positive, sample_rois
from .runtime.backbones import SERIALIZATION_PACKAGE

LOSSES = ("rpn_objectness", "rpn_box", "head_class", "head_box")


@keras.saving.register_keras_serializable(package=SERIALIZATION_PACKAGE)
class FasterRCNN(keras.Model):
    """Two stages over `proposer` (pictures -> `{"rpn_boxes", "rpn_scores", "level<L>"...}`) and `roi_head`
    (`[level maps..., boxes (B, R, 4)]` -> `{"classes": (B, R, classes + 1) logits, background first, "boxes":
    (B, R, classes, 4) offsets}`), built by `model.build_model`.

    Args:
        anchor_spec: the resolved anchors (`anchors.AnchorSpec` fields), in the order the RPN lays out its outputs.
        image_size: the side of the letterboxed pictures.
        settings: `rpn` (pre_nms, train_proposals, proposals, nms_iou), `roi` (per_image, positive_fraction,
            positive_iou, mask_size) and `loss` (focal_alpha, focal_gamma, huber_delta, box_weight) keys, plain
            values.
        mask_head: None, or `[level maps..., boxes (B, R, 4)]` -> (B, R, mask_size, mask_size, classes) mask
            logits (`model.build_mask_head`).
    """

    def __init__(self, proposer, roi_head, anchor_spec, image_size, settings, mask_head=None, **kwargs):
        super().__init__(**kwargs)
        self.proposer, self.roi_head, self.mask_head = proposer, roi_head, mask_head
        self.anchor_spec, self.image_size, self.settings = dict(anchor_spec), image_size, dict(settings)
        self.anchors = anchor_boxes.anchor_boxes(anchor_boxes.AnchorSpec(**self.anchor_spec), image_size)
        self.levels = [f"level{level}" for level in range(anchor_spec["min_level"], anchor_spec["max_level"] + 1)]
        loss = self.settings["loss"]
        self.objectness_loss = FocalLoss(loss["focal_alpha"], loss["focal_gamma"])
        self.rpn_box_loss = BoxLoss(loss["huber_delta"])
        self.seed_generator = keras.random.SeedGenerator(0)
        losses = ("loss", *LOSSES, *(("mask",) if mask_head is not None else ()))
        self.trackers = {name: keras.metrics.Mean(name=name) for name in losses}
        self.built = True  # both stages are built functional models: nothing waits for the first batch

    @property
    def metrics(self):
        return list(self.trackers.values())

    def _proposals(self, outputs, count):
        rpn = self.settings["rpn"]
        return propose(
            self.anchors,
            outputs["rpn_boxes"],
            outputs["rpn_scores"],
            rpn["pre_nms"],
            count,
            rpn["nms_iou"],
            float(self.image_size),
        )

    def call(self, pixels, training=False):
        outputs = self.proposer(pixels, training=training)
        boxes, valid = self._proposals(outputs, self.settings["rpn"]["proposals"])
        head = self.roi_head([*self._maps(outputs), boxes], training=training)
        probabilities = ops.softmax(ops.cast(head["classes"], "float32"), axis=-1)[..., 1:]
        real = ops.arange(ops.shape(boxes)[1])[None, :] < ops.cast(valid, "int32")[:, None]
        scores = probabilities * ops.cast(real, "float32")[..., None]
        proposals = ops.broadcast_to(boxes[:, :, None, :], ops.shape(head["boxes"]))
        refined = ops.clip(decode(proposals, ops.cast(head["boxes"], "float32")), 0.0, float(self.image_size))
        found = {"boxes": refined, "scores": scores}
        if self.mask_head is not None:
            found.update({name: outputs[name] for name in self.levels})
        return found

    def masks_of(self, outputs, boxes, classes):
        """The mask probabilities (B, D, mask_size, mask_size) of `boxes` (B, D, 4) as `classes` (B, D): what the
        mask head predicts for each box's class, from the pyramid levels in `outputs` (the model's, on the same
        pictures)."""
        logits = self.mask_head([*self._maps(outputs), ops.cast(boxes, "float32")])
        return ops.sigmoid(masks_of_class(logits, classes))

    def _maps(self, outputs):
        """The pyramid's level maps in `outputs` (the first stage's, or the model's with a mask head), in order."""
        return [outputs[name] for name in self.levels]

    def losses_of(self, pixels, targets, training):
        """`(total, {name: loss})` on a batch: both stages, the second on a fresh sample of proposals."""
        outputs = self.proposer(pixels, training=training)
        rpn_classes = ops.where(targets["classes"] >= 0, 0, targets["classes"])  # one class: object
        losses = {
            "rpn_objectness": self.objectness_loss(rpn_classes, outputs["rpn_scores"]),
            "rpn_box": self.rpn_box_loss(targets["boxes"], outputs["rpn_boxes"]),
        }
        roi = self.settings["roi"]
        proposals, valid = self._proposals(outputs, self.settings["rpn"]["train_proposals"])
        sample = sample_rois(
            proposals,
            valid,
            targets["true_boxes"],
            targets["true_labels"],
            roi["per_image"],
            roi["positive_fraction"],
            roi["positive_iou"],
            self.seed_generator,
        )
        maps = self._maps(outputs)
        head = self.roi_head([*maps, sample.boxes], training=training)
        losses.update(head_losses(head, sample, self.settings["loss"]["huber_delta"]))
        if self.mask_head is not None:
            # the positives come first in the sample: the mask head looks at those slots only
            first = most_positive(roi["per_image"], roi["positive_fraction"])
            boxes, classes = sample.boxes[:, :first], sample.classes[:, :first]
            logits = self.mask_head([*maps, boxes], training=training)
            truth = mask_targets(targets["objects"], boxes, sample.matched[:, :first], roi["mask_size"])
            losses["mask"] = mask_loss(logits, truth, classes)
        box_weight = self.settings["loss"]["box_weight"]
        total = sum(value * (box_weight if name.endswith("_box") else 1.0) for name, value in losses.items())
        return total, losses

    def train_step(self, data):
        pixels, targets, _ = keras.utils.unpack_x_y_sample_weight(data)
        variables = self.trainable_variables
        with tf.GradientTape() as tape:
            total, losses = self.losses_of(pixels, targets, training=True)
            scaled = self.optimizer.scale_loss(total)  # mixed_float16's loss scaling; else the loss itself
        self.optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables, strict=True))
        return self._track(total, losses)

    def test_step(self, data):
        pixels, targets, _ = keras.utils.unpack_x_y_sample_weight(data)
        return self._track(*self.losses_of(pixels, targets, training=False))

    def _track(self, total, losses):
        self.trackers["loss"].update_state(total)
        for name, value in losses.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def get_config(self):
        return {
            **super().get_config(),
            "proposer": keras.saving.serialize_keras_object(self.proposer),
            "roi_head": keras.saving.serialize_keras_object(self.roi_head),
            "mask_head": keras.saving.serialize_keras_object(self.mask_head) if self.mask_head is not None else None,
            "anchor_spec": self.anchor_spec,
            "image_size": self.image_size,
            "settings": self.settings,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for name in ("proposer", "roi_head", "mask_head"):
            if config.get(name) is not None:
                config[name] = keras.saving.deserialize_keras_object(config[name])
        return cls(**config)


def head_losses(head, sample, huber_delta):
    """The box head's losses on a `roi_sampling.RoiSample`: cross-entropy over classes and background, averaged
    over the sample's filled slots; the Huber loss of the true class' offsets of the positive ones, summed and
    divided by the same count (as Detectron's, so a picture with few objects does not weigh its few boxes up)."""
    classes = ops.cast(sample.classes, "int32")
    filled = ops.cast(classes != EMPTY, "float32")
    per_roi = keras.losses.sparse_categorical_crossentropy(
        ops.maximum(classes, 0), ops.cast(head["classes"], "float32"), from_logits=True
    )
    count = ops.maximum(ops.sum(filled), 1.0)
    positive = ops.cast(classes > 0, "float32")
    offsets = ops.take_along_axis(
        ops.cast(head["boxes"], "float32"), ops.maximum(classes - 1, 0)[..., None, None], axis=2
    )[:, :, 0]
    per_offset = huber(ops.abs(offsets - sample.offsets), huber_delta)
    return {
        "head_class": ops.sum(per_roi * filled) / count,
        "head_box": ops.sum(ops.sum(per_offset, axis=-1) * positive) / count,
    }


def mask_loss(logits, truth, classes):
    """Binary cross-entropy of the true class' mask logits (B, P, size, size, classes) against `truth` (B, P, size,
    size), per pixel, averaged over each box's pixels and over the positive boxes (`classes` > 0)."""
    chosen = masks_of_class(logits, ops.maximum(ops.cast(classes, "int32") - 1, 0))
    per_box = ops.mean(ops.binary_crossentropy(truth, chosen, from_logits=True), axis=(2, 3))
    positive = ops.cast(classes > 0, "float32")
    return ops.sum(per_box * positive) / ops.maximum(ops.sum(positive), 1.0)


def masks_of_class(logits, classes):
    """Each box's mask logits (B, R, size, size) for its class `classes` (B, R), 0-based, out of the per-class ones
    (B, R, size, size, classes)."""
    chosen = ops.take_along_axis(ops.cast(logits, "float32"), ops.cast(classes, "int32")[:, :, None, None, None], -1)
    return chosen[..., 0]
