"""Defaults sized from the user's data, not from ImageNet: small data is the common case."""

import math


def batchnorm_momentum(steps_per_epoch, target_epochs=1.0, floor=0.5, ceiling=0.99):
    """A BatchNorm momentum whose moving statistics converge within `target_epochs` of training.

    With Keras' default 0.99 the moving mean still holds 0.99**n of its initial value after n steps:
    30 % after 120 steps. On a few hundred images that means 100 % training accuracy and chance at
    inference (keras issues 9214, 10045). Here the initial value is down to 5 % after the target.
    """
    steps = max(1.0, steps_per_epoch * target_epochs)
    return float(min(ceiling, max(floor, 0.05 ** (1.0 / steps))))


def image_side(median_height, median_width, multiple=32, smallest=32, largest=224):
    """An input side from the images' median size: rounded to `multiple`, clamped to [smallest, largest]."""
    side = math.sqrt(median_height * median_width)
    side = int(round(side / multiple)) * multiple
    return int(min(largest, max(smallest, side)))


def configured_batchnorm_momentum(setting, examples, batch_size):
    """`model.batchnorm_momentum`: a number as given, or for "auto" one sized from the steps per epoch."""
    if setting != "auto":
        return setting
    return batchnorm_momentum(math.ceil(examples / batch_size))
