"""tf.data pipelines: parallel decode, cache where it fits, shuffle, batch, augment, prefetch."""

import tensorflow as tf

AUTOTUNE = tf.data.AUTOTUNE


def decode_image(path, image_size, channels=3):
    """Reads and decodes one image file to float32 in [0, 255], resized to `image_size` (height, width)."""
    return decode_image_bytes(tf.io.read_file(path), image_size, channels)


def decode_image_bytes(data, image_size, channels=3):
    """Encoded JPEG/PNG/BMP/GIF bytes -> float32 in [0, 255], resized; export reuses it for serving."""
    image = tf.io.decode_image(data, channels=channels, expand_animations=False)
    image = tf.image.resize(image, image_size, antialias=True)
    return tf.clip_by_value(image, 0.0, 255.0)


def image_dataset(paths, labels, image_size, batch_size, training, seed, augment=None, cache=True):
    """`(paths, labels)` -> batches of `(images, labels)`.

    Decoded images are cached in memory (`cache=True`) so later epochs skip decoding; augmentation
    runs after the cache, so every epoch sees new random transforms. `augment` maps an image batch.
    """
    dataset = tf.data.Dataset.from_tensor_slices((list(paths), list(labels)))
    dataset = dataset.map(lambda path, label: (decode_image(path, image_size), label), num_parallel_calls=AUTOTUNE,
                          deterministic=True)
    if cache:
        dataset = dataset.cache()
    if training:
        dataset = dataset.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size, drop_remainder=False)
    if training and augment is not None:
        dataset = dataset.map(lambda images, label: (augment(images, training=True), label),
                              num_parallel_calls=AUTOTUNE)
    return dataset.prefetch(AUTOTUNE)
