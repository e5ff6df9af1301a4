"""Batches grouped by length carry a fraction of the padding that batches padded to the longest sentence carry."""

import numpy as np
import tensorflow as tf
from shared.datasets.buckets import BOUNDARIES, bucketed_batches

BATCH = 32


def long_tailed_sentences(count=4000, seed=0):
    """Token ids of lognormal lengths, as real text has: about 6 tokens on average, a few dozen in the tail."""
    lengths = np.clip(np.random.default_rng(seed).lognormal(1.5, 0.7, count).round(), 1, 90).astype(int)
    return [np.arange(1, length + 1, dtype="int32") for length in lengths]


def dataset(sentences):
    rows = tf.RaggedTensor.from_row_lengths(np.concatenate(sentences), [len(ids) for ids in sentences])
    return tf.data.Dataset.from_tensor_slices(rows).map(lambda ids: ids).shuffle(len(sentences), seed=0)


def padding_share(batches):
    padded = real = 0
    for batch in batches:
        padded += batch.shape[0] * batch.shape[1]
        real += int(tf.math.count_nonzero(batch))
    return 1 - real / padded


def test_bucketing_cuts_the_padding_of_long_tailed_text():
    sentences = long_tailed_sentences()
    lengths = [len(ids) for ids in sentences]
    assert np.mean(lengths) < 7 and np.percentile(lengths, 99) < 25 and max(lengths) > 40  # the tail is long
    longest = max(lengths)
    to_longest = padding_share(dataset(sentences).padded_batch(BATCH, padded_shapes=[longest]))
    bucketed = bucketed_batches(dataset(sentences), lambda ids: tf.shape(ids)[0], BATCH, lengths=lengths)
    shapes = [batch.shape[1] for batch in bucketed]
    assert len(bucketed) == len(shapes)  # the count given by `lengths` is the real one
    assert to_longest > 0.7
    assert padding_share(bucketed) < 0.25
    assert set(shapes) <= set(BOUNDARIES)  # few traced shapes: each batch is padded up to a boundary


def test_every_element_comes_out_once_whole_with_its_fixed_parts():
    sentences = long_tailed_sentences(count=200, seed=1)
    data = dataset(sentences).map(lambda ids: ({"ids": ids, "picture": tf.ones((2, 2))}, tf.size(ids)))
    batches = list(bucketed_batches(data, lambda inputs, length: length, batch_size=8, boundaries=(4, 8, 16)))
    rows = [
        (ids[ids != 0].tolist(), length)
        for inputs, lengths in batches
        for ids, length in zip(inputs["ids"].numpy(), lengths.numpy(), strict=True)
    ]
    assert sorted(rows) == sorted((ids.tolist(), len(ids)) for ids in sentences)
    assert all(inputs["picture"].shape[1:] == (2, 2) for inputs, _ in batches)
    widths = {inputs["ids"].shape[1] for inputs, _ in batches}
    assert widths <= {4, 8, 16} | {length for _, length in rows if length > 16}  # past the last: its own longest
