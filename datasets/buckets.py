"""Batches of variable-length sequences grouped by length, each padded to its own longest, not to the data's longest.

Text has a long tail: with sentences of 6 tokens on average and a longest of 90, padding every batch to 90
spends most encoder, decoder and attention steps on padding. Grouping similar lengths into one batch and
padding each batch only as far as it needs removes most of that. Every padded length is rounded up to one of
a few fixed boundaries, so a model traces (and XLA compiles) a handful of shapes, not one per batch.

    rows = tf.ragged.constant([[5, 6], [7, 8, 9, 4], [3], [4, 5, 6]])
    sentences = tf.data.Dataset.from_tensor_slices(rows).map(lambda ids: ids)  # ragged rows -> tensors
    batches = bucketed_batches(sentences, lambda ids: tf.shape(ids)[0], batch_size=2, boundaries=(2, 4))
    [batch.numpy().tolist() for batch in batches]  # [[[5, 6], [3, 0]], [[7, 8, 9, 4], [4, 5, 6, 0]]]
"""

import numpy as np
import tensorflow as tf

# Sequence lengths a batch is padded up to: about 1.5x apart, so a batch carries at most a third of padding
# beyond its longest row; past the last one, batches are padded to their own longest.
BOUNDARIES = (4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512)


def bucketed_batches(data, length, batch_size, boundaries=BOUNDARIES, padding_value=0, lengths=None):
    """Batches of `batch_size` elements of similar `length`, padded with `padding_value` to a boundary.

    Args:
        data: a dataset of elements (any nesting of dense tensors) whose sequences vary in their first dimension.
        length: element -> scalar int, the length that groups elements: the longest sequence of the element,
            or the one the cost depends on.
        batch_size: elements per batch; a bucket's last batch of an epoch may hold fewer.
        boundaries: ascending lengths. An element of length n goes to the bucket of the first boundary >= n,
            and every variable dimension of a batch is padded to the first boundary >= its longest row.
        padding_value: what padding holds, in every sequence (cast to each one's dtype).
        lengths: every element's `length`, when known ahead: then the dataset knows how many batches it holds
            (`len`, progress bars, and Keras does not warn that an epoch ran out of data).

    Batches come out in the order their buckets fill, so shuffle `data` first to shuffle them.
    """
    boundaries = list(boundaries)
    data = data.bucket_by_sequence_length(
        length,
        bucket_boundaries=[boundary + 1 for boundary in boundaries],  # tf.data buckets hold lengths < a boundary
        bucket_batch_sizes=[batch_size] * (len(boundaries) + 1),
        padding_values=tf.nest.map_structure(lambda spec: tf.cast(padding_value, spec.dtype), data.element_spec),
    )
    data = data.map(lambda *element: _pad_to_boundaries(element, boundaries, padding_value))
    if lengths is None:
        return data
    per_bucket = np.bincount(np.searchsorted(boundaries, lengths), minlength=len(boundaries) + 1)
    return data.apply(tf.data.experimental.assert_cardinality(int(np.ceil(per_bucket / batch_size).sum())))


def _pad_to_boundaries(element, boundaries, padding_value):
    element = element[0] if len(element) == 1 else element
    return tf.nest.map_structure(lambda tensor: _round_up(tensor, boundaries, padding_value), element)


def _round_up(batch, boundaries, padding_value):
    """`batch` `[size, longest, ...]` padded in dimension 1 to the first boundary >= longest (fixed ones stay)."""
    if batch.shape.rank < 2 or batch.shape[1] is not None:
        return batch
    longest = tf.shape(batch)[1]
    above = tf.constant(boundaries, tf.int32)
    target = tf.where(above[-1] >= longest, tf.reduce_min(tf.where(above >= longest, above, above[-1])), longest)
    padding = [[0, 0], [0, target - longest]] + [[0, 0]] * (batch.shape.rank - 2)
    return tf.pad(batch, padding, constant_values=tf.cast(padding_value, batch.dtype))
