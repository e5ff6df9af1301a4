import keras_hub
import pytest

from {{ cookiecutter.package_name }}.runtime.errors import UserError
from {{ cookiecutter.package_name }}.token_report import describe, measure, pieces, read_inputs, sample_words

VOCABULARY = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "##s", "sat", "on", "mat"]


@pytest.fixture
def tokenizer():
    return keras_hub.tokenizers.BertTokenizer(vocabulary=VOCABULARY, lowercase=True)


def test_counts_tokens_words_characters_and_unknown_tokens(tokenizer):
    counts = measure(tokenizer, ["The cats sat", "the dog sat on the mat"])
    assert counts.per_text.tolist() == [4, 6]  # the cat ##s sat | the [UNK] sat on the mat
    assert (counts.tokens, counts.words, counts.characters, counts.unknown) == (10, 9, 34, 1)
    report = describe(counts, tokenizer, ["cats"])
    assert "tokens per word: 1.11" in report
    assert "unknown tokens: 10.00% of tokens (1)" in report
    assert "cats  cat ##s" in report


def test_byte_level_tokenizers_have_no_unknown_token():
    vocabulary = {"<pad>": 0, "<|endoftext|>": 1, "a": 2, "b": 3, "Ġ": 4, "ab": 5}
    tokenizer = keras_hub.tokenizers.BytePairTokenizer(vocabulary=vocabulary, merges=["a b"])
    counts = measure(tokenizer, ["ab a"])
    assert counts.per_text.tolist() == [3] and counts.unknown is None  # ab, Ġ, a: the space is a token of its own
    assert pieces(tokenizer, "ab") == ["Ġ", "ab"]
    assert "none possible" in describe(counts, tokenizer, [])


def test_sample_words_are_the_frequent_then_the_longest_rare_ones():
    texts = ["the cat", "the mat", "the cat sat", "unbelievable"]
    assert sample_words(texts, 4) == ["the", "cat", "unbelievable", "mat"]


def test_inputs_are_texts_or_the_lines_of_files(tmp_path):
    listed = tmp_path / "texts.txt"
    listed.write_text("first text\n\nsecond text\n", encoding="utf-8")
    assert read_inputs(["a text", str(listed)]) == ["a text", "first text", "second text"]
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"caf\xe9")
    with pytest.raises(UserError, match="broken.txt is not UTF-8 text"):
        read_inputs([str(broken)])
