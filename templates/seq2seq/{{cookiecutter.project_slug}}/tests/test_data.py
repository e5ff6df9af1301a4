from pathlib import Path

import numpy as np
import pytest

from {{ cookiecutter.package_name }} import data, tokenizers
from {{ cookiecutter.package_name }}.captions import write_captioned_images
from {{ cookiecutter.package_name }}.config import Side, load
from {{ cookiecutter.package_name }}.runtime.errors import UserError
from {{ cookiecutter.package_name }}.sources import padded
from {{ cookiecutter.package_name }}.text_pairs import read_pairs
from {{ cookiecutter.package_name }}.tokenizers import END, PAD, START, UNKNOWN


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
    target_in, target_out, cut = data.teacher_forcing([np.array([11, 12]), np.array([13, 14, 15, 16])], length=3)
    np.testing.assert_array_equal(target_in, [[START, 11, 12, PAD], [START, 13, 14, 15]])
    np.testing.assert_array_equal(target_out, [[11, 12, END, PAD], [13, 14, 15, END]])
    assert cut == 1  # the second target was longer than 3


def test_sources_are_padded_and_cut_to_their_length():
    ids, cut = padded([np.array([7, 8, 9]), np.array([5, 6, 7, 8, 9, 10])], 4)
    np.testing.assert_array_equal(ids, [[7, 8, 9, PAD], [5, 6, 7, 8]])
    assert cut == 1


def test_auto_lengths_are_the_longest_training_sentence():
    tokens = [np.arange(4), np.arange(9)]
    assert data.token_length("auto", tokens) == 9
    assert data.token_length(5, tokens) == 5
    assert data.token_length("auto", [np.arange(300)]) == data.LONGEST_AUTO


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
    sources, captions = data.read_file(config.data, config.data.train_file)
    assert all(Path(path).is_file() for path in sources) and len(captions) == 4
    (root / "images" / "picture_00002.png").unlink()
    with pytest.raises(UserError, match="picture_00002.png"):
        data.read_file(config.data, config.data.train_file)
