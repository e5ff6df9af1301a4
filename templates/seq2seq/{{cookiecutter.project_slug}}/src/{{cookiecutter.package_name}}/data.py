"""Sentence pairs -> token ids -> tf.data, for teacher forcing.

A pair becomes `({"source": ids, "target_in": START + target ids}, target ids + END, weights)`: the
decoder reads the target shifted right by one and learns to predict each next token; the weights are 1
on real target tokens and 0 on padding, so loss and accuracy count real tokens only. Sequences are
padded with PAD to fixed lengths sized from the training text, so every batch has the same shape.
"""

import dataclasses

import numpy as np
import tensorflow as tf

from . import tokenizers
from .datasets.dates import write_date_pairs
from .datasets.text_pairs import read_pairs
from .model import END, PAD, START

LONGEST_AUTO = 256  # tokens: `auto` lengths stop here


def write_sample_data(directory):
    """Spelled-out dates to ISO 8601, as TSV pairs: 5000 to train on and 1000 held out for `evaluate`."""
    write_date_pairs(f"{directory}/train.tsv", count=5000, seed=0)
    write_date_pairs(f"{directory}/test.tsv", count=1000, seed=1)
    return "5000 training and 1000 test date pairs (train.tsv, test.tsv)"


@dataclasses.dataclass
class Splits:
    train: tuple[list[str], list[str]]  # (sources, targets)
    val: tuple[list[str], list[str]]


def read_splits(data_config, seed):
    """Training and validation pairs: the validation file, or `val_fraction` of the training file (seeded)."""
    fields = (data_config.source_field, data_config.target_field)
    sources, targets = read_pairs(data_config.train_file, *fields)
    if data_config.val_file:
        return Splits((sources, targets), read_pairs(data_config.val_file, *fields))
    order = np.random.default_rng(seed).permutation(len(sources))
    count = max(1, round(len(sources) * data_config.val_fraction))
    pick = lambda indices: ([sources[i] for i in indices], [targets[i] for i in indices])  # noqa: E731
    return Splits(pick(order[count:]), pick(order[:count]))


def held_out_pairs(data_config, splits):
    """The held-out pairs `evaluate` scores: the test file, or the validation split."""
    if data_config.test_file:
        return read_pairs(data_config.test_file, data_config.source_field, data_config.target_field)
    return splits.val


def fit_tokenizers(folder, tokenizer_config, splits):
    """The source and target tokenizers of a run: trained on its training text once, then read from `folder`."""
    source = tokenizers.load_or_train(folder / "source.model", splits.train[0], tokenizer_config.source)
    target = tokenizers.load_or_train(folder / "target.model", splits.train[1], tokenizer_config.target,
                                      normalise=False)
    return source, target


def sequence_lengths(data_config, token_pair):
    """`(source, target)` token lengths: configured, or the longest training sentence of each side (at most 256).
    The target length leaves room for END."""
    return tuple(configured if configured != "auto" else min(LONGEST_AUTO, max(len(ids) for ids in token_lists))
                 for configured, token_lists in zip((data_config.max_source_tokens, data_config.max_target_tokens),
                                                    token_pair, strict=True))


def padded(token_lists, length):
    """Token ids `[len(token_lists), length]`, cut or padded with PAD; and how many were cut."""
    ids = np.full((len(token_lists), length), PAD, "int32")
    for row, tokens in enumerate(token_lists):
        ids[row, :min(length, len(tokens))] = tokens[:length]
    return ids, sum(len(tokens) > length for tokens in token_lists)


def tokenize_pairs(pairs, tokenizer_pair):
    """`(source token lists, target token lists)`."""
    return tuple(tokenizers.tokenized(tokenizer, texts) for tokenizer, texts in zip(tokenizer_pair, pairs, strict=True))


def teacher_forcing_arrays(token_pair, lengths):
    """`(source ids, target_in, target_out, cut)` for tokenized pairs; `cut` counts sides cut short."""
    source, source_cut = padded(token_pair[0], lengths[0])
    target, target_cut = padded(token_pair[1], lengths[1])
    starts = np.full((len(target), 1), START, "int32")
    target_in = np.concatenate([starts, target], axis=1)
    ends = (target != PAD).sum(axis=1)  # END goes right after each target's last token
    target_out = np.concatenate([target, np.zeros_like(starts)], axis=1)
    target_out[np.arange(len(target)), ends] = END
    return source, target_in, target_out, source_cut + target_cut


def dataset(arrays, batch_size, shuffle, seed=0):
    """tf.data of `({"source", "target_in"}, target_out, weights)` batches; the whole set in memory as ids."""
    source, target_in, target_out = arrays[:3]
    weights = (target_out != PAD).astype("float32")
    data = tf.data.Dataset.from_tensor_slices(({"source": source, "target_in": target_in}, target_out, weights))
    if shuffle:
        data = data.shuffle(len(source), seed=seed, reshuffle_each_iteration=True)
    return data.batch(batch_size).prefetch(tf.data.AUTOTUNE)
