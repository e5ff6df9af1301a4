"""Image and mask folders -> tf.data, with the split, input size, class weights and oversampling sized from the data."""

import dataclasses
from typing import Optional

import numpy as np
from PIL import Image

from . import mask_files
from .config import MaskClass
from .datasets import augment, pipeline
from .datasets.balance import median_frequency_weights, pixel_totals, repeat_counts, repeat_factors
from .model import output_stride
from .runtime import sizing
from .runtime.errors import UserError
from .runtime.fitting import FitData
from .scenes import write_scene_folders

SMALL_OBJECT_PERCENTILE = 25  # auto sizes the input for the object this percentile of them is: a quarter are smaller


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
    return ([images[i] for i in train], [masks[i] for i in train], [images[i] for i in val], [masks[i] for i in val])


def read_splits(data_config, seed):
    """Pairs images with masks, checks every pair once, and splits off validation when no folders are given.
    `data.classes: auto` becomes the class list that pass finds (see `resolve_classes`)."""
    images, masks = mask_files.read_pairs(data_config.images_dir, data_config.masks_dir)
    if data_config.val_images_dir:
        val_images, val_masks = mask_files.read_pairs(data_config.val_images_dir, data_config.val_masks_dir)
        train_images, train_masks = images, masks
    else:
        train_images, train_masks, val_images, val_masks = split_pairs(images, masks, data_config.val_fraction, seed)
    all_masks = train_masks + val_masks
    colours = data_config.classes != "auto" and data_config.classes[0].colour is not None
    scanned = mask_files.scan_values(train_images + val_images, all_masks, colours)
    if data_config.classes == "auto":
        resolve_classes(data_config, mask_files.found_values(scanned, data_config.ignore_value))
    pixels = mask_files.class_pixels(scanned, all_masks, data_config.encoding())
    return Splits(train_images, train_masks, val_images, val_masks, pixels[: len(train_images)])


def resolve_classes(data_config, values):
    """Sets `data_config.classes` to one class per mask value in `values`, named by a `labelmap.txt` or `classes.txt`
    beside the masks (line N names value N), else `class_<value>`; `train` then saves that list in the run's
    config.yaml, so evaluate, predict and export of the run read the same classes."""
    names_file, names = mask_files.class_names_beside(data_config.masks_dir)
    data_config.classes = [
        MaskClass(names[value] if value < len(names) and names[value] else f"class_{value}", value=value)
        for value in values
    ]
    source = f"data.classes auto (values in {data_config.masks_dir}{f', names in {names_file}' if names_file else ''})"
    try:
        data_config.validate()
    except ValueError as error:
        raise UserError(f"{source}: {error}") from None
    print(f"{source}: {', '.join(f'{c.name} {c.value}' for c in data_config.classes)}", flush=True)


def read_test_split(data_config, seed):
    """The held-out pairs `evaluate` scores: the test folders, or else the validation split."""
    if data_config.test_images_dir:
        images, masks = mask_files.read_pairs(data_config.test_images_dir, data_config.test_masks_dir)
        mask_files.scan_masks(images, masks, data_config.encoding())
        return images, masks
    splits = read_splits(data_config, seed)
    return splits.val_images, splits.val_masks


def image_size(config, splits, sample=200):
    """`data.image_size`, or auto: the side at which the smaller objects in the masks span one cell of the model's
    coarsest feature map (`model.output_stride`), so that their shape is still seen there; never above the images'
    median size (more pixels would cost compute and add no detail), rounded to 32 (the encoders halve it five
    times). Prints what it measured and chose."""
    if config.data.image_size != "auto":
        return config.data.image_size
    sizes = []
    for path in splits.train_images[:sample]:
        with Image.open(path) as image:
            sizes.append(image.size)
    median_side = float(np.median(np.sqrt(np.prod(sizes, axis=1))))
    background = int(np.argmax(splits.train_pixels.sum(axis=0)))  # the class with the most pixels
    encoding = config.data.encoding()
    objects = np.concatenate([object_sides(path, encoding, background) for path in splits.train_masks[:sample]])
    if not objects.size:  # background only: nothing to size by but the pictures
        side = sizing.image_side(median_side, median_side, multiple=32, smallest=32, largest=512)
        print(f"data.image_size auto: {side} px, the images' median size (the masks hold no objects)", flush=True)
        return side
    stride = output_stride(config.model)
    small = float(np.percentile(objects, SMALL_OBJECT_PERCENTILE))
    wanted = min(median_side, stride / small)
    side = sizing.image_side(wanted, wanted, multiple=32, smallest=32, largest=512)
    print(
        f"data.image_size auto: {side} px (images' median {median_side:.0f} px; small objects, the "
        f"{SMALL_OBJECT_PERCENTILE}th percentile of {objects.size}, are {small:.1%} of the side: {side * small:.0f} "
        f"px at {side} px; the model's output stride is {stride} px)",
        flush=True,
    )
    return side


def object_sides(mask_path, encoding, background):
    """Each object's side relative to its image's, as the square root of the area share: objects being the
    4-connected regions of one class other than `background` (ignored pixels belong to none)."""
    with Image.open(mask_path) as mask:
        classes, _ = encoding.class_indices(np.asarray(mask.convert("RGB") if encoding.colours else mask))
    return np.sqrt(region_areas(classes, (classes != background) & (classes >= 0)) / classes.size)


def region_areas(classes, inside):
    """The pixel counts of the 4-connected regions of equal `classes` within the boolean `inside`.

    >>> region_areas(np.array([[1, 1, 0], [0, 2, 2], [1, 0, 2]]), np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]]) > 0)
    array([2, 3, 1])
    """
    pixel = np.arange(classes.size).reshape(classes.shape)
    right = inside[:, :-1] & inside[:, 1:] & (classes[:, :-1] == classes[:, 1:])
    down = inside[:-1] & inside[1:] & (classes[:-1] == classes[1:])
    first = np.concatenate([pixel[:, :-1][right], pixel[:-1][down]])
    second = np.concatenate([pixel[:, 1:][right], pixel[1:][down]])
    root = pixel.ravel().copy()  # each pixel's region is named by its smallest pixel index once this settles
    while not np.array_equal(root[first], root[second]):
        # hook the larger root of each joined pair onto the smaller, then point every pixel at its root
        np.minimum.at(root, np.maximum(root[first], root[second]), np.minimum(root[first], root[second]))
        while not np.array_equal(root, root[root]):
            root = root[root]
    return np.unique(root[inside.ravel()], return_counts=True)[1]


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
    train = pipeline.segmentation_dataset(
        splits.train_images,
        splits.train_masks,
        encoding,
        (size, size),
        config.data.batch_size,
        training=True,
        seed=seed,
        augment=augment.image_pipeline(config.augment, seed=seed),
        cache=config.data.cache,
        repeats=repeats(config, splits),
    )
    val = pipeline.segmentation_dataset(
        splits.val_images,
        splits.val_masks,
        encoding,
        (size, size),
        config.data.batch_size,
        training=False,
        seed=seed,
        cache=config.data.cache,
    )
    return MaskBatches(
        train=train, val=val, examples=len(splits.train_images), loss_class_weights=class_weights(config, splits)
    )


def preview_pairs(config, images, masks, size, count=8):
    """The first `count` pairs at model size, un-augmented: `(images uint8, masks int)` numpy arrays."""
    dataset = pipeline.segmentation_dataset(
        images[:count], masks[:count], config.data.encoding(), (size, size), count, training=False, seed=0, cache=False
    )
    batch_images, batch_masks = next(iter(dataset))
    return np.uint8(np.clip(batch_images.numpy(), 0, 255)), batch_masks.numpy()[..., 0]
