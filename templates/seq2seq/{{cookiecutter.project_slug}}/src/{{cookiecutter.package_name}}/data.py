"""Pairs of source and target -> tf.data, for teacher forcing.

A pair becomes `({"source": ids or pixels, "target_in": START + target ids}, target ids + END, weights)`:
the decoder reads the target shifted right by one and learns to predict each next token; the weights are 1
on real target tokens and 0 on padding, so loss and accuracy count real tokens only. Token ids are padded
with PAD to fixed lengths sized from the training text, so every batch has the same shape. In captioning
(`data.source: image`) the source column names a picture, relative to the pairs file (or `data.image_dir`).
"""

import dataclasses
from pathlib import Path

import numpy as np
import tensorflow as tf

from . import tokenizers
from .captions import write_captioned_images
from .datasets.image_files import check_images, median_size
from .dates import write_date_pairs
from .runtime import sizing
from .runtime.errors import UserError
from .runtime.fitting import FitData
from .sources import ImageSource, TextSource, padded
from .text_pairs import read_pairs
from .tokenizers import END, PAD, START

LONGEST_AUTO = 256  # tokens: `auto` lengths stop here
CACHE_BYTES = 2 * 1024**3  # decoded pictures are kept in memory when they take less than this


def write_sample_data(directory):
    """Spelled-out dates to ISO 8601 as TSV pairs (5000 to train on, 1000 held out for `evaluate`), and captioned
    pictures for `configs/captioning.yaml` (2000 and 500)."""
    write_date_pairs(f"{directory}/train.tsv", count=5000, seed=0)
    write_date_pairs(f"{directory}/test.tsv", count=1000, seed=1)
    write_captioned_images(f"{directory}/pictures/train", count=2000, seed=0)
    write_captioned_images(f"{directory}/pictures/test", count=500, seed=1)
    return ("5000 training and 1000 test date pairs (train.tsv, test.tsv), and 2000 training and 500 test captioned "
            "pictures (pictures/train, pictures/test)")


@dataclasses.dataclass
class Splits:
    train: tuple[list[str], list[str]]  # (sources, targets)
    val: tuple[list[str], list[str]]


def read_file(data_config, path):
    """`(sources, targets)` of one pairs file; in captioning the sources are checked picture paths."""
    sources, targets = read_pairs(path, data_config.source_field, data_config.target_field)
    if data_config.source == "image":
        folder = Path(data_config.image_dir) if data_config.image_dir else Path(path).parent
        sources = [str(folder / source) for source in sources]
        check_images(sorted(set(sources)))
    return sources, targets


def read_splits(data_config, seed):
    """Training and validation pairs: the validation file, or `val_fraction` of the training file's distinct
    sources (seeded), so a sentence or picture with several targets is never on both sides."""
    sources, targets = read_file(data_config, data_config.train_file)
    if data_config.val_file:
        return Splits((sources, targets), read_file(data_config, data_config.val_file))
    distinct = list(dict.fromkeys(sources))
    if len(distinct) < 2:
        raise UserError(f"{data_config.train_file} has one distinct source: give more, or a data.val_file")
    order = np.random.default_rng(seed).permutation(len(distinct))
    held = {distinct[i] for i in order[:max(1, round(len(distinct) * data_config.val_fraction))]}

    def pick(held_out):
        chosen = [(s, t) for s, t in zip(sources, targets, strict=True) if (s in held) == held_out]
        return [s for s, _ in chosen], [t for _, t in chosen]

    return Splits(pick(False), pick(True))


def held_out_pairs(data_config, splits):
    """The held-out pairs `evaluate` scores: the test file, or the validation split."""
    return read_file(data_config, data_config.test_file) if data_config.test_file else splits.val


def token_length(configured, token_lists):
    """A configured length, or for `auto` the longest of `token_lists`, at most 256."""
    return configured if configured != "auto" else min(LONGEST_AUTO, max(len(ids) for ids in token_lists))


def image_size(data_config, paths):
    """`data.image_size`, or the training pictures' median size rounded to 32, in [32, 224]."""
    if data_config.image_size != "auto":
        return data_config.image_size
    return sizing.image_side(*median_size(sorted(set(paths))))


def fit_source(config, folder, splits):
    """What the model reads: sentences through a tokenizer trained on the training sources (once, then read from
    `folder`) and cut to their length, or pictures at one size."""
    if config.data.source == "image":
        return ImageSource(image_size(config.data, splits.train[0]))
    tokenizer = tokenizers.load_or_train(folder / "source.model", splits.train[0], config.tokenizer.source)
    return TextSource(tokenizer, token_length(config.data.max_source_tokens,
                                              tokenizers.tokenized(tokenizer, splits.train[0])))


def fit_target(config, folder, splits):
    """`(target tokenizer, max target tokens)`; the tokenizer keeps the text as written (no normalisation), so a
    translation can equal its reference."""
    tokenizer = tokenizers.load_or_train(folder / "target.model", splits.train[1], config.tokenizer.target,
                                         normalise=False)
    return tokenizer, token_length(config.data.max_target_tokens, tokenizers.tokenized(tokenizer, splits.train[1]))


def teacher_forcing(token_lists, length):
    """`(target_in, target_out, cut)`: START + ids, and ids + END, each `length + 1` long; `cut` counts targets cut
    short."""
    target, cut = padded(token_lists, length)
    starts = np.full((len(target), 1), START, "int32")
    ends = (target != PAD).sum(axis=1)  # END goes right after each target's last token
    target_out = np.concatenate([target, np.zeros_like(starts)], axis=1)
    target_out[np.arange(len(target)), ends] = END
    return np.concatenate([starts, target], axis=1), target_out, cut


def dataset(source, target_tokenizer, max_target, pairs, batch_size, shuffle, seed=0):
    """`(tf.data of ({"source", "target_in"}, target_out, weights) batches, pairs cut short)`.

    Token ids are held in memory; pictures are decoded in parallel and cached in memory when they fit."""
    sources, source_cut = source.training_input(pairs[0])
    target_in, target_out, target_cut = teacher_forcing(tokenizers.tokenized(target_tokenizer, pairs[1]), max_target)
    weights = (target_out != PAD).astype("float32")
    data = tf.data.Dataset.from_tensor_slices((sources, target_in, target_out, weights)).map(
        lambda item, target_in, target_out, weights: (
            {"source": source.decode(item), "target_in": target_in}, target_out, weights),
        num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    if source.decoded_bytes(len(sources)) < CACHE_BYTES:
        data = data.cache()
    if shuffle:
        data = data.shuffle(len(sources), seed=seed, reshuffle_each_iteration=True)
    return data.batch(batch_size).prefetch(tf.data.AUTOTUNE), source_cut + target_cut


def training_batches(config, source, target_tokenizer, max_target, splits):
    """`(FitData of the training batches, shuffled, and the validation batches, training pairs cut short)`."""
    train, cut = dataset(source, target_tokenizer, max_target, splits.train, config.data.batch_size, shuffle=True,
                         seed=config.train.seed)
    val, _ = dataset(source, target_tokenizer, max_target, splits.val, config.data.batch_size, shuffle=False)
    return FitData(train=train, val=val, examples=len(splits.train[0])), cut
