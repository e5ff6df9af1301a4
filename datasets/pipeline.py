"""tf.data pipelines: parallel decode, cache where it fits, shuffle, batch, augment, prefetch."""

import numpy as np
import tensorflow as tf
from PIL import Image

AUTOTUNE = tf.data.AUTOTUNE


def decode_image(path, image_size, channels=3):
    """Reads and decodes one image file to float32 in [0, 255], resized to `image_size` (height, width)."""
    return decode_image_bytes(tf.io.read_file(path), image_size, channels)


def decode_image_bytes(data, image_size, channels=3):
    """Encoded JPEG/PNG/BMP/GIF bytes -> float32 in [0, 255], resized; export reuses it for serving."""
    return resize_pixels(tf.io.decode_image(data, channels=channels, expand_animations=False), image_size)


def resize_pixels(image, image_size):
    """Decoded pixels (height, width, channels) -> float32 in [0, 255] at `image_size`, antialiased."""
    return tf.clip_by_value(tf.image.resize(image, image_size, antialias=True), 0.0, 255.0)


def image_dataset(paths, labels, image_size, batch_size, training, seed, augment=None, cache=True):
    """`(paths, labels)` -> batches of `(images, labels)`.

    Decoded images are cached in memory (`cache=True`) so later epochs skip decoding; augmentation
    runs after the cache, so every epoch sees new random transforms. `augment` maps an image batch.
    """
    dataset = tf.data.Dataset.from_tensor_slices((list(paths), list(labels)))
    dataset = dataset.map(
        lambda path, label: (decode_image(path, image_size), label), num_parallel_calls=AUTOTUNE, deterministic=True
    )
    if cache:
        dataset = dataset.cache()
    if training:
        dataset = dataset.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size, drop_remainder=False)
    if training and augment is not None:
        dataset = dataset.map(
            lambda images, label: (augment(images, training=True), label), num_parallel_calls=AUTOTUNE
        )
    return dataset.prefetch(AUTOTUNE)


def class_lookup(encoding):
    """A table from mask keys (`MaskEncoding.pixel_keys`) to class indices; -1 elsewhere."""
    initializer = tf.lookup.KeyValueTensorInitializer(
        tf.constant(encoding.class_keys(), tf.int64), tf.range(encoding.num_classes, dtype=tf.int32)
    )
    return tf.lookup.StaticHashTable(initializer, default_value=-1)


def decode_mask(path, image_size, encoding, lookup):
    """Reads one mask PNG -> int32 class indices `(height, width, 1)`, resized by nearest neighbour.

    Ignored and unknown pixels become -1 (the template's mask check has already refused unknown ones).
    """
    mask = tf.numpy_function(lambda file: _mask_keys(file, encoding), [path], tf.int64, stateful=False)
    mask = tf.ensure_shape(mask, (None, None, 1))
    mask = tf.image.resize(lookup.lookup(mask), image_size, method="nearest")
    return tf.cast(mask, tf.int32)


def _mask_keys(path, encoding):
    # PIL, not tf.io.decode_png: TensorFlow turns palette PNGs (Pascal VOC's masks) into grey levels,
    # losing the class indices they store. Decoded once: the dataset caches the result.
    with Image.open(path.decode()) as mask:
        return encoding.pixel_keys(np.asarray(mask.convert("RGB") if encoding.colours else mask))[..., None]


def segmentation_dataset(
    image_paths, mask_paths, encoding, image_size, batch_size, training, seed, augment=None, cache=True, repeats=None
):
    """Image and mask files -> batches of `(images float32 0-255, masks int32 (h, w, 1), -1 ignored)`.

    `augment` is a Keras 3 preprocessing pipeline: it receives `{"images", "segmentation_masks"}` and
    moves both with one random transform (masks by nearest neighbour). `repeats[i]` shows image i that
    many times per epoch (oversampling of rare classes) without caching it twice.
    """
    lookup = class_lookup(encoding)
    counts = list(repeats) if repeats is not None else [1] * len(image_paths)
    dataset = tf.data.Dataset.from_tensor_slices((list(image_paths), list(mask_paths), tf.constant(counts, tf.int64)))
    dataset = dataset.map(
        lambda image, mask, count: (
            decode_image(image, image_size),
            decode_mask(mask, image_size, encoding, lookup),
            count,
        ),
        num_parallel_calls=AUTOTUNE,
        deterministic=True,
    )
    if cache:
        dataset = dataset.cache()
    dataset = dataset.flat_map(lambda image, mask, count: tf.data.Dataset.from_tensors((image, mask)).repeat(count))
    # flat_map hides the length; stated, it gives Keras its steps per epoch from the first epoch on
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(sum(counts)))
    if training:
        dataset = dataset.shuffle(sum(counts), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size, drop_remainder=False)
    if training and augment is not None:
        dataset = dataset.map(lambda images, masks: _augment_pair(augment, images, masks), num_parallel_calls=AUTOTUNE)
    return dataset.prefetch(AUTOTUNE)


def _augment_pair(augment, images, masks):
    # Keras' image layers resample in float; nearest neighbour keeps the class values exact.
    moved = augment({"images": images, "segmentation_masks": tf.cast(masks, tf.float32)}, training=True)
    return moved["images"], tf.cast(tf.round(moved["segmentation_masks"]), tf.int32)
