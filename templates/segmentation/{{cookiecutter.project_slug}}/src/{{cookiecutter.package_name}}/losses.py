"""Segmentation losses for imbalanced masks, and the training metric.

Background covers most pixels of most masks, so plain cross-entropy learns to paint background. The usual
fixes, summed as the config's `loss.terms` asks:

    cross_entropy   weighted by class: rare classes count more (PyTorch's weighted mean)
    focal           cross-entropy scaled by (1 - p)^gamma: easy pixels count less (Lin et al., 2017)
    dice            1 - the soft Dice overlap per class, averaged: each class counts the same, whatever its size

Mask pixels whose value is no class index (e.g. -1, for Pascal VOC's object borders) count in no term.
"""

import keras
from keras import ops

from .runtime import backbones

TERMS = ("cross_entropy", "focal", "dice")
EPSILON = 1e-7  # keeps log(p) finite
DICE_SMOOTHING = 1.0  # a class absent from both mask and prediction scores a perfect Dice of 1


@keras.saving.register_keras_serializable(package=backbones.SERIALIZATION_PACKAGE)
class SegmentationLoss(keras.losses.Loss):
    """The sum of `terms` (cross_entropy, focal, dice) over every pixel of the batch whose class is known.

    `y_true`: class indices `(batch, height, width, 1)`, any value outside `0 .. num_classes - 1` ignored.
    `y_pred`: class probabilities `(batch, height, width, num_classes)`.

    >>> loss = SegmentationLoss(["cross_entropy", "dice"], num_classes=2, class_weights=[0.5, 2.0])
    >>> mask = keras.ops.convert_to_tensor([[[[0], [1]], [[1], [-1]]]])  # one 2x2 mask, its last pixel ignored
    >>> round(float(loss(mask, keras.ops.full((1, 2, 2, 2), 0.5))), 4)  # ln 2 + (3/7 + 1/3) / 2
    1.0741
    """

    def __init__(self, terms, num_classes, class_weights=None, focal_gamma=2.0, name="segmentation_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        unknown = [term for term in terms if term not in TERMS]
        if unknown or not terms:
            raise ValueError(f"loss terms {terms}: use one or more of {', '.join(TERMS)}")
        if class_weights is not None and len(class_weights) != num_classes:
            raise ValueError(f"{len(class_weights)} class weights for {num_classes} classes")
        self.terms = list(terms)
        self.num_classes = num_classes
        self.class_weights = [float(weight) for weight in class_weights] if class_weights is not None else None
        self.focal_gamma = float(focal_gamma)

    def call(self, y_true, y_pred):
        labels = ops.reshape(ops.cast(y_true, "int32"), (-1,))
        probabilities = ops.reshape(ops.cast(y_pred, "float32"), (-1, self.num_classes))
        known = ops.cast((labels >= 0) & (labels < self.num_classes), "float32")
        # ignored pixels get an all-zero one-hot row and a zero mask: they drop out of every sum below
        one_hot = ops.one_hot(ops.where(known > 0, labels, 0), self.num_classes) * known[:, None]
        probabilities = probabilities * known[:, None]
        total = 0.0
        for term in self.terms:
            if term == "dice":
                total += dice(one_hot, probabilities)
            else:
                gamma = self.focal_gamma if term == "focal" else 0.0
                total += weighted_focal(one_hot, probabilities, self._weights(), gamma)
        return total

    def _weights(self):
        if self.class_weights is None:
            return ops.ones((self.num_classes,), dtype="float32")
        return ops.convert_to_tensor(self.class_weights, dtype="float32")

    def get_config(self):
        return {
            **super().get_config(),
            "terms": self.terms,
            "num_classes": self.num_classes,
            "class_weights": self.class_weights,
            "focal_gamma": self.focal_gamma,
        }


def weighted_focal(one_hot, probabilities, class_weights, gamma):
    """sum w[y] (1 - p_y)^gamma (-log p_y) / sum w[y] over the known pixels; gamma 0 is cross-entropy."""
    true_probability = ops.clip(ops.sum(one_hot * probabilities, axis=-1), EPSILON, 1.0)
    pixel_weights = ops.sum(one_hot * class_weights, axis=-1)  # zero at ignored pixels
    losses = -ops.log(true_probability)
    if gamma > 0:
        losses = ops.power(1.0 - true_probability, gamma) * losses
    return ops.sum(pixel_weights * losses) / ops.maximum(ops.sum(pixel_weights), EPSILON)


def dice(one_hot, probabilities):
    """1 - (2 |P * G| + s) / (|P| + |G| + s) per class over the whole batch, averaged over the classes."""
    overlap = ops.sum(probabilities * one_hot, axis=0)
    sizes = ops.sum(probabilities, axis=0) + ops.sum(one_hot, axis=0)
    return ops.mean(1.0 - (2.0 * overlap + DICE_SMOOTHING) / (sizes + DICE_SMOOTHING))


def build_loss(loss_config, num_classes, class_weights=None):
    """The loss the config's `loss` section asks for; `class_weights` one per class, or None."""
    return SegmentationLoss(loss_config.term_list, num_classes, class_weights, loss_config.focal_gamma)


def mean_iou_metric(num_classes):
    """Mean intersection over union of the argmax classes; y_true outside 0 .. num_classes - 1 is skipped."""
    return keras.metrics.MeanIoU(num_classes, sparse_y_true=True, sparse_y_pred=False, name="mean_iou")
