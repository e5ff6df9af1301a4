"""Image folders or a CSV -> tf.data, with the split, input size and class weights sized from the data."""

import dataclasses

import keras
import tensorflow as tf

from .datasets import augment, image_files, pipeline
from .datasets.balance import balanced_class_weights
from .datasets.shapes import write_shape_folders
from .runtime import sizing
from .runtime.errors import UserError
from .runtime.fitting import FitData


@dataclasses.dataclass
class Splits:
    train_paths: list
    train_labels: list
    val_paths: list
    val_labels: list
    class_names: list


def write_sample_data(directory):
    """Six shape classes, 100 pictures each, in the folder-per-class layout your own data takes."""
    classes = write_shape_folders(directory, per_class=100, size=64, seed=0)
    return f"{len(classes)} classes ({', '.join(classes)})"


def read_splits(data_config, seed, class_names=None):
    """Reads the listed format, checks every file, and splits off validation when no folder is given."""
    if data_config.csv:
        paths, labels, names = image_files.read_csv(data_config.csv, class_names)
    else:
        paths, labels, names = image_files.read_folder(data_config.dir)
    if data_config.val_dir:
        val_paths, val_labels, val_names = image_files.read_folder(data_config.val_dir)
        if val_names != names:
            raise UserError(f"data.val_dir classes {val_names} differ from the training classes {names}")
        splits = Splits(paths, labels, val_paths, val_labels, names)
    else:
        train_paths, train_labels, val_paths, val_labels = image_files.split(
            paths, labels, data_config.val_fraction, seed
        )
        splits = Splits(train_paths, train_labels, val_paths, val_labels, names)
    if data_config.check_images:
        image_files.check_images(splits.train_paths + splits.val_paths)
    return splits


def read_test_split(config, class_names):
    """The held-out images `evaluate` scores: `data.test_dir`, or else the validation split."""
    if config.data.test_dir:
        paths, labels, names = image_files.read_folder(config.data.test_dir)
        if names != class_names:
            raise UserError(f"data.test_dir classes {names} differ from the model's classes {class_names}")
        image_files.check_images(paths)
        return paths, labels
    splits = read_splits(config.data, config.train.seed, class_names)
    return splits.val_paths, splits.val_labels


def image_size(data_config, paths):
    if data_config.image_size != "auto":
        return data_config.image_size
    return sizing.image_side(*image_files.median_size(paths))


def one_hot(num_classes):
    return lambda images, labels: (images, tf.one_hot(labels, num_classes))


def class_weights(config, splits):
    if config.data.class_weights == "none":
        return None
    return balanced_class_weights(splits.train_labels, len(splits.class_names))


def training_batches(config, splits, size):
    """Batches of `(images 0-255, one-hot labels)` for `fit`; augmentation on training only."""
    num_classes = len(splits.class_names)
    seed = config.train.seed
    augmenter = augment.image_pipeline(config.augment, seed=seed)
    mixer = augment.batch_mixer(config.augment, seed=seed)
    train = pipeline.image_dataset(
        splits.train_paths,
        splits.train_labels,
        (size, size),
        config.data.batch_size,
        training=True,
        seed=seed,
        augment=augmenter,
        cache=config.data.cache,
    )
    train = train.map(one_hot(num_classes))
    if mixer is not None:
        train = train.map(mixer, num_parallel_calls=tf.data.AUTOTUNE)
    val = pipeline.image_dataset(
        splits.val_paths,
        splits.val_labels,
        (size, size),
        config.data.batch_size,
        training=False,
        seed=seed,
        cache=config.data.cache,
    ).map(one_hot(num_classes))
    return FitData(
        train=train.prefetch(tf.data.AUTOTUNE),
        val=val,
        examples=len(splits.train_paths),
        class_weight=class_weights(config, splits),
    )


def preview_batch(config, splits, size, count=16):
    """`count` augmented training images as uint8, for the TensorBoard grid.

    Built from the first `count` files only: the full training pipeline would shuffle, and so decode,
    every image once just for this picture.
    """
    images = pipeline.image_dataset(
        splits.train_paths[:count],
        splits.train_labels[:count],
        (size, size),
        count,
        training=True,
        seed=config.train.seed,
        augment=augment.image_pipeline(config.augment, seed=config.train.seed),
        cache=False,
    )
    mixer = augment.batch_mixer(config.augment, seed=config.train.seed)
    images, labels = next(iter(images.map(one_hot(len(splits.class_names)))))
    if mixer is not None:
        images, _ = mixer(images, labels)
    return keras.ops.convert_to_numpy(keras.ops.cast(keras.ops.clip(images, 0, 255), "uint8"))
