"""Image and mask folders -> tf.data, with the split, input size, class weights and oversampling sized from the data."""

import dataclasses
from typing import Optional

import numpy as np
from PIL import Image

from . import mask_files
from .datasets import augment, pipeline
from .datasets.balance import median_frequency_weights, pixel_totals, repeat_counts, repeat_factors
from .runtime import sizing
from .runtime.fitting import FitData
from .scenes import write_scene_folders


@dataclasses.dataclass
class Splits:
    train_images: list
    train_masks: list
    val_images: list
    val_masks: list
    train_pixels: np.ndarray  # (training images, classes): each mask's pixel count per class


@dataclasses.dataclass(kw_only=True)
class MaskBatches(FitData):
    """`fit`'s batches, and the class weights `compile` gives the loss.

    `loss_class_weights` (median frequency, one per class, or None) go into `losses.SegmentationLoss`, which weighs
    each pixel by its class and leaves ignored pixels out; so `fit`'s own `class_weight` stays None.
    """

    loss_class_weights: Optional[list[float]] = None


def write_sample_data(directory):
    """Scenes of shapes on textured backgrounds, in the images/ + masks/ layout your own data takes."""
    classes = write_scene_folders(directory, count=200, size=64, seed=0)
    return f"{len(classes)} classes ({', '.join(classes)})"


def split_pairs(images, masks, fraction, seed):
    """A seeded random `fraction` of the pairs for validation (at least one when fraction > 0)."""
    order = np.random.default_rng(seed).permutation(len(images))
    count = max(1, round(fraction * len(images))) if fraction > 0 and len(images) > 1 else 0
    val, train = sorted(order[:count]), sorted(order[count:])
    return ([images[i] for i in train], [masks[i] for i in train], [images[i] for i in val],
            [masks[i] for i in val])


def read_splits(data_config, seed):
    """Pairs images with masks, checks every pair once, and splits off validation when no folders are given."""
    encoding = data_config.encoding()
    images, masks = mask_files.read_pairs(data_config.images_dir, data_config.masks_dir)
    if data_config.val_images_dir:
        val_images, val_masks = mask_files.read_pairs(data_config.val_images_dir, data_config.val_masks_dir)
        train_images, train_masks = images, masks
    else:
        train_images, train_masks, val_images, val_masks = split_pairs(images, masks, data_config.val_fraction, seed)
    pixels = mask_files.scan_masks(train_images + val_images, train_masks + val_masks, encoding)
    return Splits(train_images, train_masks, val_images, val_masks, pixels[:len(train_images)])


def read_test_split(data_config, seed):
    """The held-out pairs `evaluate` scores: the test folders, or else the validation split."""
    if data_config.test_images_dir:
        images, masks = mask_files.read_pairs(data_config.test_images_dir, data_config.test_masks_dir)
        mask_files.scan_masks(images, masks, data_config.encoding())
        return images, masks
    splits = read_splits(data_config, seed)
    return splits.val_images, splits.val_masks


def image_size(data_config, paths, sample=200):
    """`data.image_size`, or from the median picture size: rounded to 32 (the encoders halve it five times)."""
    if data_config.image_size != "auto":
        return data_config.image_size
    sizes = []
    for path in paths[:sample]:
        with Image.open(path) as image:
            sizes.append(image.size)
    width, height = np.median(np.array(sizes), axis=0)
    return sizing.image_side(height, width, multiple=32, smallest=32, largest=512)


def class_weights(config, splits):
    """Median-frequency weights from the training masks, or None (`loss.class_weights: none`)."""
    if config.loss.class_weights == "none":
        return None
    return median_frequency_weights(*pixel_totals(splits.train_pixels))


def repeats(config, splits):
    """How often each training image is shown per epoch: more often when it holds a rare class."""
    if config.data.oversample == "none":
        return None
    classes_per_image = [set(np.flatnonzero(row).tolist()) for row in splits.train_pixels]
    factors = repeat_factors(classes_per_image, splits.train_pixels.shape[1], config.data.oversample_threshold)
    return repeat_counts(factors, np.random.default_rng(config.train.seed))


def training_batches(config, splits, size):
    """Batches of `(images 0-255, masks int32 (h, w, 1), -1 ignored)` for `fit`, augmentation on training only,
    with the loss's class weights."""
    encoding = config.data.encoding()
    seed = config.train.seed
    train = pipeline.segmentation_dataset(splits.train_images, splits.train_masks, encoding, (size, size),
                                          config.data.batch_size, training=True, seed=seed,
                                          augment=augment.image_pipeline(config.augment, seed=seed),
                                          cache=config.data.cache, repeats=repeats(config, splits))
    val = pipeline.segmentation_dataset(splits.val_images, splits.val_masks, encoding, (size, size),
                                        config.data.batch_size, training=False, seed=seed, cache=config.data.cache)
    return MaskBatches(train=train, val=val, examples=len(splits.train_images),
                       loss_class_weights=class_weights(config, splits))


def preview_pairs(config, images, masks, size, count=8):
    """The first `count` pairs at model size, un-augmented: `(images uint8, masks int)` numpy arrays."""
    dataset = pipeline.segmentation_dataset(images[:count], masks[:count], config.data.encoding(), (size, size), count,
                                            training=False, seed=0, cache=False)
    batch_images, batch_masks = next(iter(dataset))
    return np.uint8(np.clip(batch_images.numpy(), 0, 255)), batch_masks.numpy()[..., 0]
