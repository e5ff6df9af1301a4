import numpy as np
import pytest

from {{ cookiecutter.package_name }} import data, tokenizers
from {{ cookiecutter.package_name }}.config import Side, load
from {{ cookiecutter.package_name }}.datasets.text_pairs import read_pairs
from {{ cookiecutter.package_name }}.model import END, PAD, START, UNKNOWN


@pytest.mark.parametrize("kind", ["bpe", "unigram", "word", "char"])
def test_every_tokenizer_kind_gives_the_text_back_in_any_script(tmp_path, kind):
    texts = ["Hi, how are you?", "こんにちは、元気ですか。", "Привет, как дела?", "the third of may"] * 20
    tokenizer = tokenizers.load_or_train(tmp_path / "source.model", texts, Side(kind, vocabulary_size=60),
                                         normalise=False)
    ids = tokenizers.tokenized(tokenizer, texts[:4])
    detokenized = [tokenizer.detokenize(np.asarray(row)[None])[0] for row in ids]
    assert [text.decode() if isinstance(text, bytes) else text for text in detokenized] == texts[:4]
    assert min(int(row.min()) for row in ids) > END  # the reserved ids are never a piece of text
    assert [tokenizer.id_to_token(i) for i in (PAD, UNKNOWN, START, END)] == ["<pad>", "<unk>", "<s>", "</s>"]


def test_a_run_keeps_its_tokenizer(tmp_path):
    first = tokenizers.load_or_train(tmp_path / "target.model", ["2001-01-01", "1999-12-31"], Side("char"))
    again = tokenizers.load_or_train(tmp_path / "target.model", ["completely different text"], Side("char"))
    assert again.get_vocabulary() == first.get_vocabulary()


def test_teacher_forcing_shifts_the_target_right_and_ends_it():
    source, target_in, target_out, cut = data.teacher_forcing_arrays(
        ([np.array([7, 8, 9]), np.array([5, 6, 7, 8, 9, 10])], [np.array([11, 12]), np.array([13, 14, 15, 16])]),
        lengths=(4, 3))
    np.testing.assert_array_equal(source, [[7, 8, 9, PAD], [5, 6, 7, 8]])
    np.testing.assert_array_equal(target_in, [[START, 11, 12, PAD], [START, 13, 14, 15]])
    np.testing.assert_array_equal(target_out, [[11, 12, END, PAD], [13, 14, 15, END]])
    assert cut == 2  # the second source and the second target were longer than their lengths


def test_auto_lengths_are_the_longest_training_sentence(sample_dir):
    config = load("configs/default.yaml", [f"data.train_file={sample_dir}/train.tsv"])
    tokens = ([np.arange(4), np.arange(9)], [np.arange(3), np.arange(2)])
    assert data.sequence_lengths(config.data, tokens) == (9, 3)
    config.data.max_source_tokens = 5
    assert data.sequence_lengths(config.data, tokens) == (5, 3)


def test_validation_split_is_seeded_and_disjoint(sample_dir):
    config = load("configs/default.yaml", [f"data.train_file={sample_dir}/train.tsv", "data.val_fraction=0.25"])
    splits, again = data.read_splits(config.data, seed=1), data.read_splits(config.data, seed=1)
    assert splits == again and len(splits.val[0]) == 150 and len(splits.train[0]) == 450
    every_pair = list(zip(*read_pairs(sample_dir / "train.tsv"), strict=True))
    assert sorted([*zip(*splits.val, strict=True), *zip(*splits.train, strict=True)]) == sorted(every_pair)  # once each
