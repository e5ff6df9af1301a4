"""Noise that depends only on a seed per image: the same seed draws the same image, alone or in any batch.

Sampling, the grid each epoch, `predict` and the exported SavedModel all start from `normal(seeds, shape, 0)`;
a diffusion sampler takes step `i`'s fresh noise from stream `i + 1`. TensorFlow's stateless random ops do it
(`keras.random` has one seed per call, not per example), so this is the one TensorFlow-only module of sampling.

>>> first = normal(tf.constant([7, 8]), (4,), stream=0)
>>> bool(tf.reduce_all(first[0] == normal(tf.constant([7]), (4,), stream=0)[0]))
True
"""

import tensorflow as tf


def normal(seeds, shape, stream):
    """Standard normal noise of `shape` for each of `seeds` (int32, `(batch,)`): `(batch, *shape)` float32."""
    stream = tf.cast(stream, tf.int32)
    return tf.map_fn(
        lambda seed: tf.random.stateless_normal(shape, seed=tf.stack([seed, stream])),
        tf.cast(seeds, tf.int32),
        fn_output_signature=tf.float32,
    )
