"""Pairs of source and target -> tf.data, for teacher forcing.

A pair becomes `({"source": ids or pixels, "target_in": START + target ids}, target ids + END, weights)`:
the decoder reads the target shifted right by one and learns to predict each next token; the weights are 1
on real target tokens and 0 on padding, so loss and accuracy count real tokens only. Sentences are cut to
lengths sized from the training text (`auto`: up to twice the 99th percentile), and batches hold pairs of
similar length, padded with PAD only as far as their own longest (`datasets/buckets.py`): text has a long
tail, and padding every batch to the longest sentence spent most steps on padding. In captioning
(`data.source: image`) the source column names a picture, relative to the pairs file (or `data.image_dir`).
"""

import dataclasses
from pathlib import Path

import numpy as np
import tensorflow as tf

from . import tokenizers
from .captions import write_captioned_images
from .datasets.buckets import bucketed_batches
from .datasets.image_files import check_images, median_size
from .dates import write_date_pairs
from .runtime import device, sizing
from .runtime.errors import UserError
from .runtime.fitting import FitData
from .sources import ImageSource, TextSource, ragged
from .text_pairs import read_pairs
from .tokenizers import END, PAD, START

LONGEST_AUTO = 256  # tokens: `auto` lengths stop here
# `auto` lengths cut only outliers, sentences over twice the 99th percentile: text has a long, rare tail (a corpus of
# 6 tokens on average, 20 at the 99th percentile, reaches 90). Batches are padded to their own longest, so a longer
# limit costs no padding, but it sizes the biggest batch (memory) and the decoding limit.
AUTO_PERCENTILE = 99
CACHE_BYTES = 2 * 1024**3  # decoded pictures are kept in memory when they take less than this


def write_sample_data(directory):
    """Spelled-out dates to ISO 8601 as TSV pairs (5000 to train on, 1000 held out for `evaluate`), and captioned
    pictures for `configs/captioning.yaml` (2000 and 500)."""
    write_date_pairs({f"{directory}/train.tsv": 5000, f"{directory}/test.tsv": 1000})
    write_captioned_images(f"{directory}/pictures/train", count=2000, seed=0)
    write_captioned_images(f"{directory}/pictures/test", count=500, seed=1)
    return (
        "5000 training and 1000 test date pairs (train.tsv, test.tsv), and 2000 training and 500 test captioned "
        "pictures (pictures/train, pictures/test)"
    )


@dataclasses.dataclass
class Splits:
    train: tuple[list[str], list[str]]  # (sources, targets)
    val: tuple[list[str], list[str]]


def read_file(data_config, key):
    """`(sources, targets)` of the pairs file `data.<key>`; in captioning the sources are checked picture paths."""
    path = getattr(data_config, key)
    if not Path(path).is_file():
        raise UserError(f"pairs file {path} not found: run `sample-data` or set data.{key}")
    sources, targets = read_pairs(path, data_config.source_field, data_config.target_field)
    if data_config.source == "image":
        folder = Path(data_config.image_dir) if data_config.image_dir else Path(path).parent
        sources = [str(folder / source) for source in sources]
        check_images(sorted(set(sources)))
    return sources, targets


def read_splits(data_config, seed):
    """Training and validation pairs: the validation file, or `val_fraction` of the training file's distinct
    sources (seeded), so a sentence or picture with several targets is never on both sides."""
    sources, targets = read_file(data_config, "train_file")
    if data_config.val_file:
        return Splits((sources, targets), read_file(data_config, "val_file"))
    distinct = list(dict.fromkeys(sources))
    if len(distinct) < 2:
        raise UserError(f"{data_config.train_file} has one distinct source: give more, or a data.val_file")
    order = np.random.default_rng(seed).permutation(len(distinct))
    held = {distinct[i] for i in order[: max(1, round(len(distinct) * data_config.val_fraction))]}

    def pick(held_out):
        chosen = [(s, t) for s, t in zip(sources, targets, strict=True) if (s in held) == held_out]
        return [s for s, _ in chosen], [t for _, t in chosen]

    return Splits(pick(False), pick(True))


def held_out_pairs(data_config, splits):
    """The held-out pairs `evaluate` scores: the test file, or the validation split."""
    return read_file(data_config, "test_file") if data_config.test_file else splits.val


def token_length(configured, token_lists):
    """A configured length, or for `auto` the longest of `token_lists`, at most twice their 99th percentile and 256."""
    if configured != "auto":
        return configured
    lengths = [len(ids) for ids in token_lists]
    percentile = np.percentile(lengths, AUTO_PERCENTILE, method="higher")
    return int(min(LONGEST_AUTO, max(lengths), max(1, 2 * percentile)))


def cut_note(data_config, lengths, cut, pairs):
    """The start-up line saying how many training pairs the `lengths` (`{"max_target_tokens": 12, ...}`) cut: a cut
    is never silent."""
    named = " / ".join(f"data.{key} {value}" for key, value in lengths.items())
    auto = any(getattr(data_config, key) == "auto" for key in lengths)
    sized = f" (auto: at most twice the {AUTO_PERCENTILE}th percentile of the training lengths)" if auto else ""
    share = f"{cut} of {pairs} training pairs ({cut / pairs:.1%})"
    return f"lengths: {share} are cut to {named}{sized}; raise them to keep those whole"


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
    return TextSource(
        tokenizer, token_length(config.data.max_source_tokens, tokenizers.tokenized(tokenizer, splits.train[0]))
    )


def fit_target(config, folder, splits):
    """`(target tokenizer, max target tokens)`; the tokenizer keeps the text as written (no normalisation), so a
    translation can equal its reference."""
    tokenizer = tokenizers.load_or_train(
        folder / "target.model", splits.train[1], config.tokenizer.target, normalise=False
    )
    return tokenizer, token_length(config.data.max_target_tokens, tokenizers.tokenized(tokenizer, splits.train[1]))


def teacher_forcing(token_lists, length):
    """`(target_in, target_out, cut)`: per target, START + ids and ids + END, the ids cut to `length`; `cut` says
    which targets were cut short."""
    targets = [np.asarray(ids[:length], "int32") for ids in token_lists]
    target_in = [np.concatenate([[START], ids]).astype("int32") for ids in targets]
    target_out = [np.concatenate([ids, [END]]).astype("int32") for ids in targets]
    return target_in, target_out, np.array([len(ids) > length for ids in token_lists], bool)


def dataset(source, target_tokenizer, max_target, pairs, batch_size, shuffle, seed=0):
    """`(tf.data of ({"source", "target_in"}, target_out, weights) batches, pairs cut short)`.

    Batches hold pairs of similar length, padded with PAD (weight 0) to a length bucket's boundary (and, on several
    JAX devices, topped up to a multiple of them). Token ids are held in memory; pictures are decoded in parallel
    and cached in memory when they fit."""
    sources, source_cut = source.training_input(pairs[0])
    target_in, target_out, target_cut = teacher_forcing(tokenizers.tokenized(target_tokenizer, pairs[1]), max_target)
    lengths = np.array([len(ids) for ids in target_out], "int32")  # what groups a pair into a batch: its longer side
    if isinstance(source, TextSource):  # (a picture never varies)
        lengths = np.maximum(lengths, sources.row_lengths().numpy().astype("int32"))
    data = tf.data.Dataset.from_tensor_slices((sources, ragged(target_in), ragged(target_out), lengths)).map(
        lambda item, target_in, target_out, length: (
            (
                {"source": source.decode(item), "target_in": target_in},
                target_out,
                tf.ones_like(target_out, tf.float32),  # padding, added per batch, gets weight 0
            ),
            length,
        ),
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=True,
    )
    if source.decoded_bytes(len(pairs[0])) < CACHE_BYTES:
        data = data.cache()
    if shuffle:
        data = data.shuffle(len(pairs[0]), seed=seed, reshuffle_each_iteration=True)
    batches = bucketed_batches(data, lambda pair, length: length, batch_size, padding_value=PAD, lengths=lengths)
    batches = device.even_batches(batches.map(lambda pair, length: pair), weigh_copies=True)
    return batches.prefetch(tf.data.AUTOTUNE), int((source_cut | target_cut).sum())


def training_batches(config, source, target_tokenizer, max_target, splits):
    """`(FitData of the training batches, shuffled, and the validation batches, training pairs cut short)`."""
    train, cut = dataset(
        source, target_tokenizer, max_target, splits.train, config.data.batch_size, shuffle=True, seed=config.train.seed
    )
    val, _ = dataset(source, target_tokenizer, max_target, splits.val, config.data.batch_size, shuffle=False)
    return FitData(train=train, val=val, examples=len(splits.train[0])), cut
