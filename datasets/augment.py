"""Image augmentation from the config, built from Keras 3 preprocessing layers.

Per-image transforms (flips, rotation, zoom, colour jitter, RandAugment) form one `keras.layers.Pipeline`.
Per-batch mixing (MixUp, CutMix) needs one-hot labels and is returned separately. Keras' layers
transform images, masks and boxes together, so the same pipeline serves segmentation and detection.
"""

import dataclasses
from typing import Literal


@dataclasses.dataclass
class PairedAugmentation:
    """Transforms that move masks and boxes with their image (geometric) or leave them alone (colour).

    Every transform is off at 0 / none.
    """

    flip: Literal["none", "horizontal", "vertical", "horizontal_and_vertical"] = "horizontal"
    rotation: float = 0.0  # fraction of a full turn, e.g. 0.05 = up to +-18 degrees
    zoom: float = 0.0  # up to +-this fraction; zooming in is a random crop
    brightness: float = 0.0  # colour jitter factors, each in [0, 1]
    contrast: float = 0.0
    saturation: float = 0.0
    hue: float = 0.0

    def validate(self):
        for name in ("rotation", "zoom", "brightness", "contrast", "saturation", "hue"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"augment.{name} is {value}, expected a number in [0, 1]")


@dataclasses.dataclass
class ImageAugmentation(PairedAugmentation):
    """The paired transforms, plus those only image labels survive: RandAugment and batch mixing."""

    rand_augment: bool = False  # RandAugment (2 random ops per image) instead of hand-picked transforms
    rand_augment_magnitude: float = 0.5
    mix: Literal["none", "mixup", "cutmix"] = "none"
    mix_alpha: float = 0.2


# Augmentation computes in float32 whatever the global precision policy: under mixed_bfloat16 the layers
# would otherwise round every pixel to bf16 in tf.data, emulated (8x slower) on CPUs without bf16 instructions.
PIXELS = {"dtype": "float32"}


def image_pipeline(config, seed=None, bounding_box_format=None):
    """A `keras.layers.Pipeline` of the per-image transforms, or None when all are off.

    With `bounding_box_format` ("xyxy", ...) it transforms `{"images", "bounding_boxes": {"boxes", "labels"}}`
    batches, the boxes moved with the pixels, and fills what a shift or zoom uncovers with black instead of a
    mirror image, whose mirrored objects would have no boxes. A config with a `translation` field shifts too.
    """
    import keras  # here, not at the top: configs import this module before TensorFlow may load

    geometry = {"bounding_box_format": bounding_box_format} if bounding_box_format else {}
    fill = {"fill_mode": "constant" if bounding_box_format else "reflect"}
    steps = []
    if config.flip != "none":
        steps.append(keras.layers.RandomFlip(config.flip, seed=seed, **geometry, **PIXELS))
    if config.rotation > 0:
        steps.append(keras.layers.RandomRotation(config.rotation, **fill, seed=seed, **geometry, **PIXELS))
    if getattr(config, "translation", 0) > 0:
        steps.append(
            keras.layers.RandomTranslation(
                config.translation, config.translation, **fill, seed=seed, **geometry, **PIXELS
            )
        )
    if config.zoom > 0:
        steps.append(keras.layers.RandomZoom(config.zoom, **fill, seed=seed, **geometry, **PIXELS))
    if getattr(config, "rand_augment", False):
        steps.append(
            keras.layers.RandAugment(value_range=(0, 255), factor=config.rand_augment_magnitude, seed=seed, **PIXELS)
        )
    jitter = {
        "brightness_factor": config.brightness,
        "contrast_factor": config.contrast,
        "saturation_factor": config.saturation,
        "hue_factor": config.hue,
    }
    if any(jitter.values()):
        steps.append(
            keras.layers.RandomColorJitter(
                value_range=(0, 255),
                seed=seed,
                **geometry,
                **PIXELS,
                **{key: value or None for key, value in jitter.items()},
            )
        )
    return keras.layers.Pipeline(steps) if steps else None


def batch_mixer(config, seed=None):
    """A function `(images, one_hot_labels) -> (images, labels)` for MixUp or CutMix, or None."""
    if getattr(config, "mix", "none") == "none":
        return None
    import keras

    from .cutmix import PixelExactCutMix

    layer = (
        keras.layers.MixUp(alpha=config.mix_alpha, seed=seed, **PIXELS)
        if config.mix == "mixup"
        else PixelExactCutMix(factor=1.0, seed=seed, **PIXELS)
    )

    def mix(images, labels):
        mixed = layer({"images": images, "labels": labels})
        return mixed["images"], mixed["labels"]

    return mix
