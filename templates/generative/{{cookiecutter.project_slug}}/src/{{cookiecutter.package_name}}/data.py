"""A folder of images -> checked, split and sized `ImageData`, and tf.data batches of pixels in [-1, 1].

The folder holds images directly or at any depth below (unconditional), or one sub-folder per class, which
makes class-conditional sampling possible. Every file is decoded once up front, so a broken one stops the
run before training with its name, not halfway through an epoch.

    data = read_data(config)
    print(data.describe())  # 3,000 images of 6 classes at 32x32 RGB: 2,700 training, 300 validation
    train = image_batches(data.train_paths, data.train_labels, data, 64, training=True, seed=42, flip=True)
"""

import dataclasses
import functools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from PIL import Image

{% if cookiecutter.model_family == 'diffusion' -%}
from .captions import read_captions
{% endif -%}
from .datasets import image_files, pipeline
from .runtime.errors import UserError
from .sample_images import write_sample_images
{%- if cookiecutter.model_family == 'diffusion' %}
from .text_encoder import load_encoder
{%- endif %}

GREY_MODES = ("1", "L", "LA", "I", "F")  # PIL modes of one-channel images; 16-bit ones are "I;16", "I;16B", ...
SIDE_MULTIPLE, SMALLEST_SIDE, LARGEST_SIDE = 8, 16, 128  # data.image_size auto


@dataclasses.dataclass
class ImageData:
    """The split image files with the size they are read at, and their class folders' labels.

    The judge learns the class folders whenever the images are in them; the model draws by class only when
    `conditional` (`model.conditional`), and its batches then carry the labels (else all 0).
    """

    train_paths: list
    train_labels: list  # the class folder of each image (all 0 without class folders)
    val_paths: list
    val_labels: list
    class_names: list  # the class folders, [] without them
    image_size: int
    channels: int
    conditional: bool
    # Drawn from text: each image's caption, and the encoder that turns captions into what the model is told
    train_captions: list = dataclasses.field(default_factory=list)
    val_captions: list = dataclasses.field(default_factory=list)
    encoder: object = None

    @property
    def num_classes(self):
        """Classes the model draws: 0 when it is unconditional."""
        return len(self.class_names) if self.conditional else 0

    @property
    def requested_classes(self):
        """The classes samples are asked for, which the judge checks: the model's, or drawn from text, those of the
        captions' images (class folders); [] for a model drawn without either."""
        return self.class_names if self.num_classes or self.encoder else []

    @property
    def captions(self):
        """Drawn from text: `(sentence vectors, classes)` of the held-out images, for scoring; else None."""
        return (self.val_text, self.val_labels) if self.encoder else None

    @functools.cached_property
    def train_text(self):
        """Drawn from text: the training captions' sentence vectors, float32 `(N, width)`, embedded once when first
        asked for (`evaluate` needs only the held-out ones); else None."""
        return self.encoder.embed(self.train_captions) if self.encoder else None

    @functools.cached_property
    def val_text(self):
        """The held-out captions' sentence vectors, as `train_text`."""
        return self.encoder.embed(self.val_captions) if self.encoder else None

    def describe(self):
        total = len(self.train_paths) + len(self.val_paths)
        classes = f" of {len(self.class_names)} classes" if self.class_names else ""
        drawn = "" if self.conditional or not self.class_names else " (drawn without classes)"
        if self.encoder:
            drawn = " (drawn from their captions)"
        colour = "RGB" if self.channels == 3 else "greyscale"
        return (
            f"{total:,} images{classes}{drawn} at {self.image_size}x{self.image_size} {colour}: "
            f"{len(self.train_paths):,} training, {len(self.val_paths):,} validation"
        )


def write_sample_data(directory):
    """Six classes of shapes, 500 pictures each: the layout your own class folders take."""
    return write_sample_images(directory)


def read_data(config):
    """Lists, checks, labels, sizes and splits the images of `config.data.dir`."""
    root = Path(config.data.dir)
    if not root.is_dir():
        raise UserError(f"data folder {root} not found: run `sample-data` or set data.dir to your image folder")
    image_files.warn_undecodable(root)
    paths, labels, class_names, folders = _list_images(root, config.model.conditional)
    image_files.check_images(paths)  # decodes each file once: a broken one stops the run here, named
    sizes, modes = _sizes_and_modes(paths)
    image_size = config.data.image_size
    if image_size == "auto":
        short_side = float(np.median([min(size) for size in sizes]))
        image_size = int(np.clip(round(short_side / SIDE_MULTIPLE) * SIDE_MULTIPLE, SMALLEST_SIDE, LARGEST_SIDE))
    channels = config.data.channels
    if channels == "auto":
        channels = 1 if all(mode in GREY_MODES or mode.startswith("I;") for mode in modes) else 3
    _check_splittable(labels, folders, config.data.val_fraction)
    train_paths, train_labels, val_paths, val_labels = image_files.split(
        paths, labels, config.data.val_fraction, config.train.seed
    )
    if len(train_paths) < config.data.batch_size:
        raise UserError(
            f"{root} gives {len(train_paths)} training image(s), fewer than data.batch_size "
            f"{config.data.batch_size}: add images or lower data.batch_size"
        )
    conditional = bool(class_names) and config.model.conditional is not False
    data = ImageData(train_paths, train_labels, val_paths, val_labels, class_names, image_size, channels, conditional)
{%- if cookiecutter.model_family == 'diffusion' %}
    if config.text.encoder:  # drawn from text: the captions replace the classes as what the model is told
        caption_of = dict(zip(paths, read_captions(root, paths, class_names, labels), strict=True))
        data.train_captions = [caption_of[path] for path in train_paths]
        data.val_captions = [caption_of[path] for path in val_paths]
        data.conditional = False
        data.encoder = load_encoder(config.text.encoder, config.text.sequence_length)
{%- endif %}
    return data


def _is_image(path, root):
    hidden = any(part.startswith(".") for part in path.relative_to(root).parts)  # .ipynb_checkpoints, .DS_Store
    return path.suffix.lower() in image_files.IMAGE_SUFFIXES and path.is_file() and not hidden


def _list_images(root, conditional):
    """`(paths, labels, class_names, folders)`: one folder per class, or `root` alone (labels 0, no class names)
    when the images are not all in class folders."""
    found = {}
    for folder in sorted(path for path in root.iterdir() if path.is_dir() and not path.name.startswith(".")):
        images = sorted(str(path) for path in folder.rglob("*") if _is_image(path, root))
        if images:
            found[folder] = images
    beside = sorted(path for path in root.iterdir() if _is_image(path, root))
    if len(found) >= 2 and not beside:
        folders = list(found)
        labels = [label for label, folder in enumerate(folders) for _ in found[folder]]
        return [path for folder in folders for path in found[folder]], labels, [f.name for f in folders], folders
    if len(found) >= 2 and conditional is not False:
        raise UserError(
            f"{root} holds class folders and images beside them ({beside[0]}): move every image into its "
            "class folder, or set model.conditional to false to train on all of them without classes"
        )
    if conditional is True:
        raise UserError(
            f"model.conditional is true but {root} has no class folders (at least two sub-folders of images): "
            "put each class in its own sub-folder, or set model.conditional to auto or false"
        )
    paths = sorted(str(path) for path in root.rglob("*") if _is_image(path, root))
    if not paths:
        raise UserError(f"{root} holds no images ({', '.join(image_files.IMAGE_SUFFIXES)})")
    return paths, [0] * len(paths), [], [root]


def _sizes_and_modes(paths):
    """`(sizes, modes)` of the images, from their headers, read in threads."""

    def header(path):
        with Image.open(path) as image:
            return image.size, image.mode

    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(header, paths))
    return [size for size, _ in found], [mode for _, mode in found]


def _check_splittable(labels, folders, val_fraction):
    """Each class gives `val_fraction` of its images (at least one) to validation and keeps one for training."""
    counts = np.bincount(labels, minlength=len(folders))
    for folder, count in zip(folders, counts, strict=True):
        if max(1, round(count * val_fraction)) >= count:
            raise UserError(
                f"{folder} holds only {count} image(s): too few to split off validation "
                f"(data.val_fraction {val_fraction}); add images"
            )


def load_image(path, image_size, channels):
    """One image file -> float32 `(image_size, image_size, channels)` in [-1, 1]: centre square, resized."""
    image = tf.io.decode_image(tf.io.read_file(path), channels=channels, expand_animations=False)
    height, width = tf.shape(image)[0], tf.shape(image)[1]
    side = tf.minimum(height, width)
    image = tf.image.crop_to_bounding_box(image, (height - side) // 2, (width - side) // 2, side, side)
    pixels = pipeline.resize_pixels(image, (image_size, image_size))
    return tf.ensure_shape(pixels / 127.5 - 1.0, (image_size, image_size, channels))


def image_batches(paths, labels, data, batch_size, training, seed, flip, text=None):
    """Batches of `({"images": float32 (B, S, S, C) in [-1, 1], "labels": int32 (B,)},)` for `fit`, and `"text"`
    `(B, width)`, the rows of `text` (the images' sentence vectors), when given.

    Decoded images are cached; when `training`, every epoch reshuffles them, mirrors half of them left-right
    (with `flip`) and drops the last, smaller batch, so every step sees a full batch.
    """
    columns = {"path": list(paths), "labels": np.asarray(labels, np.int32)}
    if text is not None:
        columns["text"] = np.asarray(text, np.float32)

    def decoded(row):
        return {**row, "path": load_image(row["path"], data.image_size, data.channels)}

    dataset = tf.data.Dataset.from_tensor_slices(columns)
    dataset = dataset.map(decoded, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True).cache()
    if training:
        dataset = dataset.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size, drop_remainder=training)
    mirror = keras.layers.RandomFlip("horizontal", seed=seed, dtype="float32") if training and flip else None

    def named(batch):
        images = batch.pop("path")
        return ({**batch, "images": mirror(images, training=True) if mirror else images},)

    return dataset.map(named).prefetch(tf.data.AUTOTUNE)


def held_out(data, limit, seed):
    """`(images, labels)`: up to `limit` held-out images (`real_images`) and their classes, None without class
    folders: what samples are scored against."""
    labels = np.asarray(data.val_labels)[_chosen(len(data.val_paths), limit, seed)] if data.class_names else None
    return real_images(data.val_paths, data, limit, seed), labels


def _chosen(count, limit, seed):
    return np.sort(np.random.default_rng(seed).permutation(count)[:limit])


def real_images(paths, data, limit, seed):
    """Up to `limit` of the images at `paths`, float32 `(N, S, S, C)` in [-1, 1]: the same ones for a seed."""
    chosen = _chosen(len(paths), limit, seed)
    dataset = tf.data.Dataset.from_tensor_slices([paths[index] for index in chosen])
    dataset = dataset.map(
        lambda path: load_image(path, data.image_size, data.channels),
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=True,
    )
    return np.concatenate(list(dataset.batch(256).as_numpy_iterator()))
