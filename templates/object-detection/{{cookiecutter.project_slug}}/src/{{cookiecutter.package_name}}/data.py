"""Annotated pictures -> tf.data, with the split, the input size and the anchors sized from the data.

Every picture is letterboxed to `image_size` (its longer side scaled to it, the rest padded), so boxes map between
the picture and the model by one scale factor. Training batches are augmented with their boxes (flip, shift, zoom,
colour), boxes the augmentation moved out of the picture are dropped, and each anchor gets its target.
"""

import dataclasses

import numpy as np
import tensorflow as tf

from . import anchors as anchor_fitting
from . import box_files
from .datasets import augment
from .inference import letterbox
from .masks import instance_map
from .runtime import sizing
from .runtime.errors import UserError
from .runtime.fitting import FitData
from .scenes import write_sample_scenes
from .targets import AnchorTargets

AUTOTUNE = tf.data.AUTOTUNE
SMALL_OBJECT_PERCENTILE = 10  # auto sizes the input for the object this percentile of them is
SMALL_OBJECT_PIXELS = 12  # ... so that it still spans this many pixels at the model's input
MIN_BOX_PIXELS = 2.0  # a box augmentation left narrower or lower than this is dropped


@dataclasses.dataclass
class Splits:
    train: list  # box_files.AnnotatedImage
    val: list
    classes: list


@dataclasses.dataclass(kw_only=True)
class DetectionBatches(FitData):
    """`fit`'s batches, and the anchors their targets were made for."""

    anchors: np.ndarray


def write_sample_data(directory):
    """Scenes of shapes of several sizes, some overlapping, in the images/ + annotations.json (COCO) layout."""
    classes = write_sample_scenes(directory)
    return f"{len(classes)} classes ({', '.join(classes)})"


def split_images(images, fraction, seed):
    """A seeded random `fraction` of the pictures for validation (at least one when fraction > 0)."""
    order = np.random.default_rng(seed).permutation(len(images))
    count = max(1, round(fraction * len(images))) if fraction > 0 and len(images) > 1 else 0
    return [images[i] for i in sorted(order[count:])], [images[i] for i in sorted(order[:count])]


def read(config, split=""):
    """One annotated folder: `data.images_dir` and its annotations (and masks, with `model.masks`), or with `split`
    "val_" or "test_" those keys' folder. Prints what it found, clipped and dropped."""
    data_config = config.data
    annotations = getattr(data_config, f"{split}annotations")
    dataset = box_files.read_boxes(
        getattr(data_config, f"{split}images_dir"),
        annotations,
        data_config.format,
        data_config.classes,
        masks=config.model.masks,
        masks_dir=getattr(data_config, f"{split}masks_dir"),
    )
    print(f"{annotations}: {dataset.describe()}", flush=True)
    return dataset


def read_splits(config):
    """Reads and checks every annotation once, and splits off validation when no folder is given. `data.classes:
    auto` becomes the classes the annotations name; `data.image_size` and `anchors` auto become the values
    measured on the training boxes, so the run's config.yaml holds what evaluate, predict and export need."""
    data_config = config.data
    dataset = read(config)
    if data_config.classes == "auto":
        data_config.classes = list(dataset.classes)
    if data_config.val_images_dir:
        val = read(config, "val_").images
        train = dataset.images
    else:
        train, val = split_images(dataset.images, data_config.val_fraction, config.train.seed)
    if not val:
        raise UserError("data.val_fraction is 0 and no data.val_images_dir is given: every epoch is validated")
    if not any(len(image.labels) for image in train):
        raise UserError(f"{data_config.annotations}: the training pictures hold no boxes to learn from")
    data_config.image_size = image_size(data_config, train)
    resolve_anchors(config, train)
    return Splits(train, val, list(data_config.classes))


def read_test_split(config):
    """The held-out pictures `evaluate` scores: the test folder, else the validation folder or split."""
    data = config.data
    if data.test_images_dir:
        return read(config, "test_").images
    if data.val_images_dir:
        return read(config, "val_").images
    return split_images(read(config).images, data.val_fraction, config.train.seed)[1]


def letterbox_scale(image, size):
    return size / max(image.width, image.height)


def image_size(data_config, images):
    """`data.image_size`, or auto: the side at which the small objects (the SMALL_OBJECT_PERCENTILE-th of the boxes'
    sides) still span SMALL_OBJECT_PIXELS, never above the pictures' median longer side (more pixels would add no
    detail), rounded to 32 (the backbones halve it five times). Prints what it measured and chose."""
    if data_config.image_size != "auto":
        return data_config.image_size
    longer = np.array([max(image.width, image.height) for image in images], dtype=np.float64)
    sides = np.concatenate([box_sides(image.boxes) / max(image.width, image.height) for image in images])
    median_side = float(np.median(longer))
    small = float(np.percentile(sides, SMALL_OBJECT_PERCENTILE))
    wanted = min(median_side, SMALL_OBJECT_PIXELS / max(small, 1e-6))
    side = sizing.image_side(wanted, wanted, multiple=32, smallest=64, largest=1024)
    print(
        f"data.image_size auto: {side} px (pictures' median longer side {median_side:.0f} px; small objects, the "
        f"{SMALL_OBJECT_PERCENTILE}th percentile of {sides.size} boxes, are {small:.1%} of it: {side * small:.0f} px "
        f"at {side} px)",
        flush=True,
    )
    return side


def box_sides(boxes):
    """The side of the square of each box's area, (n,)."""
    return np.sqrt((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]))


def model_boxes(images, size):
    """Every box of `images` at the model's input scale, (n, 4) xyxy."""
    scaled = [image.boxes * letterbox_scale(image, size) for image in images]
    return np.concatenate(scaled) if scaled else np.zeros((0, 4), np.float32)


def resolve_anchors(config, images):
    """Fills the `anchors` keys left auto with the values fitted to the training boxes, and prints how well the
    anchors cover them."""
    anchors, size = config.anchors, config.data.image_size
    if anchors.max_level != "auto" and size % 2**anchors.max_level:
        raise UserError(
            f"anchors.max_level {anchors.max_level} needs data.image_size a multiple of {2**anchors.max_level}, "
            f"not {size}: lower the level or change the size"
        )
    boxes = model_boxes(images, size)
    if not anchors.resolved:  # what the config fixes bounds the fit
        lowest = (2, 3) if anchors.min_level == "auto" else (anchors.min_level, anchors.min_level)
        highest = None if anchors.max_level == "auto" else anchors.max_level
        fitted = anchor_fitting.fit_anchors(boxes, size, lowest, highest, num_scales=anchors.num_scales)
        for key in ("min_level", "max_level", "size", "aspect_ratios"):
            if getattr(anchors, key) == "auto":
                setattr(anchors, key, getattr(fitted, key if key != "size" else "anchor_size"))
    recall = anchor_fitting.anchor_recall(boxes, anchor_spec(anchors), size, anchors.positive_iou)
    print(
        f"anchors: levels {anchors.min_level}-{anchors.max_level}, size {anchors.size}, aspect ratios (h/w) "
        f"{anchors.aspect_ratios}, {anchors.num_scales} scales: {recall:.1%} of the training boxes have an anchor at "
        f"IoU >= {anchors.positive_iou}",
        flush=True,
    )


def anchor_spec(anchors):
    return anchor_fitting.AnchorSpec(
        min_level=anchors.min_level,
        max_level=anchors.max_level,
        num_scales=anchors.num_scales,
        aspect_ratios=list(anchors.aspect_ratios),
        anchor_size=anchors.size,
    )


def model_anchors(config):
    """The anchors (A, 4) xyxy of the resolved config, in the order the model's outputs are laid out."""
    return anchor_fitting.anchor_boxes(anchor_spec(config.anchors), config.data.image_size)


def padded_boxes(images, size):
    """`(paths, boxes (n, most, 4), labels (n, most))` at the model's input scale, label -1 on the padding rows."""
    most = max(1, max(len(image.labels) for image in images))
    boxes = np.full((len(images), most, 4), -1.0, np.float32)
    labels = np.full((len(images), most), -1, np.int32)
    for index, image in enumerate(images):
        count = len(image.labels)
        boxes[index, :count] = image.boxes * letterbox_scale(image, size)
        labels[index, :count] = image.labels
    return [str(image.path) for image in images], boxes, labels


def decoded(path, size):
    image = tf.io.decode_image(tf.io.read_file(path), channels=3, expand_animations=False)
    return letterbox(image, size)[0]


def picture_dataset(images, size, cache, masks=False):
    """Unbatched `(pixels, boxes, labels)` of `images`, letterboxed, in order; with `masks`, and each picture's
    objects painted into one map at the same size (`masks.instance_map`: k + 1 where object k is, else 0)."""
    paths, boxes, labels = padded_boxes(images, size)
    dataset = tf.data.Dataset.from_tensor_slices((paths, boxes, labels, np.arange(len(images))))

    def numbered(index):
        image = images[int(index)]
        return instance_map(image.masks, size, letterbox_scale(image, size)).astype(np.uint16)

    def load(path, boxes, labels, index):
        pixels = decoded(path, size)
        if not masks:
            return pixels, boxes, labels
        objects = tf.numpy_function(numbered, [index], tf.uint16, stateful=False)
        return pixels, boxes, labels, tf.ensure_shape(objects, (size, size))

    dataset = dataset.map(load, num_parallel_calls=AUTOTUNE)
    return dataset.cache() if cache else dataset


def without_lost_boxes(boxes, labels):
    """Labels -1 for boxes an augmentation shrank below MIN_BOX_PIXELS (moved out of the picture)."""
    sides = tf.minimum(boxes[..., 2] - boxes[..., 0], boxes[..., 3] - boxes[..., 1])
    return tf.where((sides >= MIN_BOX_PIXELS) & (labels >= 0), labels, -1)


def batches(config, images, anchors, training):
    """Batches of `(pixels, {"boxes": (batch, A, 5), "classes": (batch, A)})` for `fit`: what each anchor learns.
    Faster R-CNN's anchors learn at `rpn`'s IoUs, and its batches also hold the true boxes, `"true_boxes"` (batch,
    N, 4) and `"true_labels"` (batch, N), -1 on padding rows, which its second stage samples from; with masks also
    `"objects"` (batch, size, size), each picture's map of object numbers (`masks.instance_map`), moved with it."""
    size, seed = config.data.image_size, config.train.seed
    masks = config.model.masks
    dataset = picture_dataset(images, size, config.data.cache, masks)
    if training:
        dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(config.data.batch_size)
    transform = augment.image_pipeline(config.augment, seed=seed, bounding_box_format="xyxy") if training else None
    two_stage = config.model.architecture == "faster_rcnn"
    matching = config.rpn if two_stage else config.anchors
    targets = AnchorTargets(anchors, matching.positive_iou, matching.negative_iou)

    def encode(pixels, boxes, labels, objects=None):
        if transform is not None:
            inputs = {"images": pixels, "bounding_boxes": {"boxes": boxes, "labels": labels}}
            if masks:  # moved with the pixels, nearest-neighbour: object numbers stay whole numbers
                inputs["segmentation_masks"] = tf.cast(objects[..., None], tf.float32)
            moved = transform(inputs, training=True)
            pixels, boxes = moved["images"], moved["bounding_boxes"]["boxes"]
            labels = without_lost_boxes(boxes, tf.cast(moved["bounding_boxes"]["labels"], tf.int32))
            if masks:
                objects = tf.cast(tf.round(moved["segmentation_masks"][..., 0]), tf.uint16)
        box_targets, class_targets = targets(boxes, labels)
        learnt = {"boxes": box_targets, "classes": class_targets}
        if two_stage:
            learnt.update(true_boxes=boxes, true_labels=labels)
        if masks:
            learnt["objects"] = objects
        return pixels, learnt

    return dataset.map(encode, num_parallel_calls=AUTOTUNE).prefetch(AUTOTUNE)


def training_batches(config, splits):
    anchors = model_anchors(config)
    return DetectionBatches(
        train=batches(config, splits.train, anchors, training=True),
        val=batches(config, splits.val, anchors, training=False),
        examples=len(splits.train),
        anchors=anchors,
    )


def pictures(images, size, batch_size, cache=False):
    """Batches of letterboxed pixels of `images`, in order, for detection."""
    return picture_dataset(images, size, cache).map(lambda pixels, *_: pixels).batch(batch_size)
