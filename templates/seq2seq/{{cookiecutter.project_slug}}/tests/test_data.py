import re
from pathlib import Path

import numpy as np
import pytest

from {{ cookiecutter.package_name }} import data, tokenizers
from {{ cookiecutter.package_name }}.captions import write_captioned_images
from {{ cookiecutter.package_name }}.config import Side, load
from {{ cookiecutter.package_name }}.dates import date_pairs
from {{ cookiecutter.package_name }}.runtime.errors import UserError
from {{ cookiecutter.package_name }}.sources import TextSource
from {{ cookiecutter.package_name }}.text_pairs import read_pairs
from {{ cookiecutter.package_name }}.tokenizers import END, PAD, START, UNKNOWN


@pytest.mark.parametrize("kind", ["bpe", "unigram", "word", "char"])
def test_every_tokenizer_kind_gives_the_text_back_in_any_script(tmp_path, kind):
    texts = ["Hi, how are you?", "こんにちは、元気ですか。", "Привет, как дела?", "the third of may"] * 20
    tokenizer = tokenizers.load_or_train(
        tmp_path / "source.model", texts, Side(kind, vocabulary_size=60), normalise=False
    )
    ids = tokenizers.tokenized(tokenizer, texts[:4])
    detokenized = [tokenizer.detokenize(np.asarray(row)[None])[0] for row in ids]
    assert [text.decode() if isinstance(text, bytes) else text for text in detokenized] == texts[:4]
    assert min(int(row.min()) for row in ids) > END  # the reserved ids are never a piece of text
    assert [tokenizer.id_to_token(i) for i in (PAD, UNKNOWN, START, END)] == ["<pad>", "<unk>", "<s>", "</s>"]


def test_unseen_words_are_those_the_training_text_never_held(tmp_path):
    sources = [source for source, _ in date_pairs(300, seed=0)]  # lowercase words
    tokenizers.load_or_train(tmp_path / "source.model", sources, Side("bpe"))
    texts = ["the third of may , nineteen ten", "Bonjour tout le monde", "The THIRD of May", ""]
    assert tokenizers.unseen_words(tmp_path / "source.model", texts) == [(0, 7), (4, 4), (3, 4), (0, 0)]
    assert tokenizers.unseen_words(tmp_path / "source.model", texts[2:3], lowercase=True) == [(0, 4)]
    assert tokenizers.unseen_words(tmp_path / "other.model", texts) is None  # a run from before the list was kept


def test_a_run_keeps_its_tokenizer(tmp_path):
    first = tokenizers.load_or_train(tmp_path / "target.model", ["2001-01-01", "1999-12-31"], Side("char"))
    again = tokenizers.load_or_train(tmp_path / "target.model", ["completely different text"], Side("char"))
    assert again.get_vocabulary() == first.get_vocabulary()


def test_teacher_forcing_shifts_the_target_right_and_ends_it():
    target_in, target_out, cut = data.teacher_forcing([np.array([11, 12]), np.array([13, 14, 15, 16])], length=3)
    assert [row.tolist() for row in target_in] == [[START, 11, 12], [START, 13, 14, 15]]
    assert [row.tolist() for row in target_out] == [[11, 12, END], [13, 14, 15, END]]
    assert cut.tolist() == [False, True]  # the second target was longer than 3


def test_batches_hold_similar_lengths_padded_to_their_own_longest(tmp_path):
    short, long = ["one two"] * 8, ["one two three four five six seven eight nine ten eleven twelve thirteen"] * 8
    tokenizer = tokenizers.load_or_train(tmp_path / "word.model", short + long, Side("word"), normalise=False)
    pairs = ([*short, *long], [*short, *long])
    batches, cut = data.dataset(TextSource(tokenizer, 10), tokenizer, 10, pairs, 8, shuffle=True)
    shapes = sorted((inputs["source"].shape[1], inputs["target_in"].shape[1]) for inputs, _, _ in batches)
    assert shapes == [(4, 4), (12, 12)] and len(batches) == 2  # one batch of each length, and it knows it
    assert cut == 8  # the long pairs, cut to 10 tokens (11 with START or END)
    for inputs, target_out, weights in batches:
        np.testing.assert_array_equal(weights, target_out != PAD)
        np.testing.assert_array_equal(inputs["target_in"][:, 1:] != PAD, target_out[:, 1:] != PAD)


def test_auto_lengths_cut_outliers_only_and_the_cut_is_reported():
    tokens = [np.arange(4)] * 199 + [np.arange(40)]  # one sentence in 200 is much longer
    assert data.token_length("auto", tokens) == 8  # twice the 99th percentile
    assert data.token_length("auto", [*tokens[:199], np.arange(7)]) == 7  # no outlier: the longest
    assert data.token_length(5, tokens) == 5
    assert data.token_length("auto", [np.arange(300)]) == data.LONGEST_AUTO
    explicit = load("configs/default.yaml", ["data.max_source_tokens=30", "data.max_target_tokens=12"])
    note = data.cut_note(explicit.data, {"max_source_tokens": 30, "max_target_tokens": 12}, cut=1, pairs=100)
    assert note.startswith("lengths: 1 of 100 training pairs (1.0%) are cut to data.max_source_tokens 30 / data.max_")
    assert "auto" not in note
    auto = load("configs/default.yaml").data
    assert "(auto: at most twice the 99th percentile" in data.cut_note(auto, {"max_target_tokens": 8}, cut=0, pairs=9)


def test_validation_split_is_seeded_and_disjoint(sample_dir):
    config = load("configs/default.yaml", [f"data.train_file={sample_dir}/train.tsv", "data.val_fraction=0.25"])
    splits, again = data.read_splits(config.data, seed=1), data.read_splits(config.data, seed=1)
    assert splits == again and len(splits.val[0]) == 150 and len(splits.train[0]) == 450
    every_pair = list(zip(*read_pairs(sample_dir / "train.tsv"), strict=True))
    assert sorted([*zip(*splits.val, strict=True), *zip(*splits.train, strict=True)]) == sorted(every_pair)  # once each


def test_a_source_with_several_targets_falls_on_one_side_of_the_split(tmp_path):
    lines = [f"sentence {i}\ttranslation {i}.{j}\n" for i in range(20) for j in range(3)]  # three targets each
    (tmp_path / "pairs.tsv").write_text("".join(lines), encoding="utf-8")
    config = load("configs/default.yaml", [f"data.train_file={tmp_path}/pairs.tsv", "data.val_fraction=0.25"])
    splits = data.read_splits(config.data, seed=0)
    assert len(set(splits.val[0])) == 5 and len(splits.val[0]) == 15
    assert not set(splits.val[0]) & set(splits.train[0])


def test_caption_paths_are_relative_to_their_file_and_checked(tmp_path):
    root = write_captioned_images(tmp_path / "pictures", count=4).parent
    config = load("configs/captioning.yaml", [f"data.train_file={root}/captions.tsv"])
    sources, captions = data.read_file(config.data, "train_file")
    assert all(Path(path).is_file() for path in sources) and len(captions) == 4
    (root / "images" / "picture_00002.png").unlink()
    with pytest.raises(UserError, match="picture_00002.png"):
        data.read_file(config.data, "train_file")


def test_a_missing_pairs_file_names_the_key_that_sets_it(tmp_path):
    (tmp_path / "pairs.tsv").write_text("one\t1\ntwo\t2\n", encoding="utf-8")

    def data_config(*overrides):
        return load("configs/default.yaml", [f"data.train_file={tmp_path}/pairs.tsv", *overrides]).data

    def missing(key):
        return rf"^pairs file {re.escape(str(tmp_path))}/nope.tsv not found: run `sample-data` or set data.{key}$"

    with pytest.raises(UserError, match=missing("train_file")):
        data.read_splits(data_config(f"data.train_file={tmp_path}/nope.tsv"), seed=0)
    with pytest.raises(UserError, match=missing("val_file")):
        data.read_splits(data_config(f"data.val_file={tmp_path}/nope.tsv"), seed=0)
    splits = data.read_splits(data_config(), seed=0)
    with pytest.raises(UserError, match=missing("test_file")):
        data.held_out_pairs(data_config(f"data.test_file={tmp_path}/nope.tsv"), splits)
