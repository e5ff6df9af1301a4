"""The detector's two losses, per image normalised by its number of positive anchors, as RetinaNet's are.

Targets come from `targets.encode` (one row per anchor):

    boxes:   (anchors, 5)  the 4 offsets of the matched box from the anchor, then 1 for a positive anchor, else 0
    classes: (anchors,)    the class of a positive anchor, BACKGROUND for a negative one, IGNORED in between

    model.compile(loss={"boxes": BoxLoss(), "classes": FocalLoss()}, loss_weights={"boxes": 1.0, "classes": 1.0})
"""

import keras
from keras import ops

from .runtime.backbones import SERIALIZATION_PACKAGE

BACKGROUND = -1
IGNORED = -2


def huber(error, delta):
    """Elementwise Huber loss of absolute errors `error`: squared below `delta`, linear above."""
    return ops.where(error < delta, 0.5 * error**2, delta * (error - 0.5 * delta))


def positives_per_image(positive):
    """How many anchors of each image learn an object, at least 1 so an image without objects divides by 1."""
    return ops.maximum(ops.sum(positive, axis=-1), 1.0)


@keras.saving.register_keras_serializable(package=SERIALIZATION_PACKAGE)
class FocalLoss(keras.losses.Loss):
    """Sigmoid focal loss (Lin et al., 2017) over every class of every anchor but the ignored ones.

    Each class is a yes/no question per anchor, so background is every class answered "no". The (1 - p_t)**gamma
    factor turns down the many easy background anchors, alpha weighs objects against background.

    >>> loss = FocalLoss()
    >>> float(loss(keras.ops.array([[0, -1]]), keras.ops.array([[[9.0, -9.0], [-9.0, -9.0]]]))) < 1e-4
    True
    """

    def __init__(self, alpha=0.25, gamma=2.0, name="focal", **kwargs):
        super().__init__(name=name, **kwargs)
        self.alpha, self.gamma = alpha, gamma

    def call(self, y_true, y_pred):
        labels = ops.cast(y_true, "int32")
        classes = ops.shape(y_pred)[-1]
        target = ops.one_hot(ops.maximum(labels, 0), classes) * ops.cast(labels >= 0, y_pred.dtype)[..., None]
        cross_entropy = ops.binary_crossentropy(target, y_pred, from_logits=True)
        probability = ops.sigmoid(y_pred)
        p_t = target * probability + (1 - target) * (1 - probability)
        alpha_t = target * self.alpha + (1 - target) * (1 - self.alpha)
        per_class = alpha_t * (1 - p_t) ** self.gamma * cross_entropy
        counted = ops.cast(labels != IGNORED, y_pred.dtype)
        per_anchor = ops.sum(per_class, axis=-1) * counted
        return ops.sum(per_anchor, axis=-1) / positives_per_image(ops.cast(labels >= 0, y_pred.dtype))

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha, "gamma": self.gamma}


@keras.saving.register_keras_serializable(package=SERIALIZATION_PACKAGE)
class BoxLoss(keras.losses.Loss):
    """Huber loss on the 4 box offsets of the positive anchors; other anchors have no box to learn.

    >>> float(BoxLoss()(keras.ops.array([[[0.0, 0, 0, 2, 1], [5, 5, 5, 5, 0]]]), keras.ops.zeros((1, 2, 4))))
    1.5
    """

    def __init__(self, delta=1.0, name="box_huber", **kwargs):
        super().__init__(name=name, **kwargs)
        self.delta = delta

    def call(self, y_true, y_pred):
        offsets, positive = y_true[..., :4], y_true[..., 4]
        per_offset = huber(ops.abs(offsets - y_pred), self.delta)
        return ops.sum(ops.sum(per_offset, axis=-1) * positive, axis=-1) / positives_per_image(positive)

    def get_config(self):
        return {**super().get_config(), "delta": self.delta}
