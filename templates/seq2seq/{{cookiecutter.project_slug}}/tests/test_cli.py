import csv
import io
import re
import sys

import pytest

from {{ cookiecutter.package_name }} import tokenizers
from {{ cookiecutter.package_name }}.cli import main
from {{ cookiecutter.package_name }}.config import load
from {{ cookiecutter.package_name }}.dates import date_pairs
from {{ cookiecutter.package_name }}.model import build_model
from {{ cookiecutter.package_name }}.predict import predict, read_sentences
from {{ cookiecutter.package_name }}.runtime.cli import parser_for
from {{ cookiecutter.package_name }}.runtime.errors import UserError
from {{ cookiecutter.package_name }}.runtime.rundir import Run
from {{ cookiecutter.package_name }}.sources import TextSource
from {{ cookiecutter.package_name }}.task import SequenceToSequence
from {{ cookiecutter.package_name }}.translate import save_shapes


def test_sentences_come_from_arguments_files_and_stdin(tmp_path, monkeypatch):
    listed = tmp_path / "sentences.txt"
    listed.write_text("may first\n\n  june second \n", encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO("july third\n"))
    assert read_sentences(["april fourth", str(listed), "-"]) == [
        "april fourth",
        "may first",
        "june second",
        "july third",
    ]


def test_a_file_that_is_not_utf8_is_one_clear_error(tmp_path):
    (tmp_path / "latin1.txt").write_bytes("déjà vu\n".encode("latin-1"))
    with pytest.raises(UserError, match="latin1.txt is not UTF-8"):
        read_sentences([str(tmp_path / "latin1.txt")])


def test_an_input_that_looks_like_a_missing_file_is_an_error_and_text_takes_it_as_a_sentence(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for missing in ("data/nope.txt", "notes.TSV", "my data/pairs.csv", "data/nope"):
        with pytest.raises(UserError, match=rf"^input {re.escape(missing)} looks like a file but .*, or pass --text"):
            read_sentences([missing])
    # a slash between words, or a full stop, is part of a sentence
    assert read_sentences(["1/2 cup of flour", "the end."]) == ["1/2 cup of flour", "the end."]
    args = parser_for(SequenceToSequence()).parse_args(["predict", "runs/any", "--text", "data/nope.txt", "-"])
    assert read_sentences(args.inputs, as_text=args.text) == ["data/nope.txt", "-"]


def test_summary_lists_the_attention_layers(capsys):
    main(["summary", "--vocabulary", "50", "model.units=8", "model.embedding_dim=4"])
    rows = {line.split()[0]: line.split()[-1] for line in capsys.readouterr().out.splitlines()[1:-1]}
    assert rows["source_embedding"] == "200" and rows["logits"] == "450"  # 50 x 4; 8 x 50 + 50
    assert rows["attention_keys"] == "128"  # 16 (both directions) x 8, no bias


def test_summary_gives_a_subclassed_model_its_output_shapes_and_marks_those_it_cannot(capsys):
    main(["summary", "--vocabulary", "50", "model.architecture=transformer", "model.units=8", "model.heads=2"])
    rows = {line.split()[0]: line.split()[1:-1] for line in capsys.readouterr().out.splitlines()[1:-1]}
    assert rows["logits"] == ["(None,", "None,", "50)"]  # batch and length follow the input
    assert ["?"] in rows.values()  # keras-hub's decoder block computes no shape from the shapes it was built on


def test_predict_says_how_much_of_each_sentence_the_training_text_never_held(tmp_path, capsys):
    config = load("configs/default.yaml", ["model.units=8", "model.embedding_dim=4"])
    run, vocabulary = Run(tmp_path / "run"), tmp_path / "run" / "vocabulary"
    pairs = date_pairs(300, seed=0)
    source = tokenizers.load_or_train(vocabulary / "source.model", [s for s, _ in pairs], config.tokenizer.source)
    target = tokenizers.load_or_train(
        vocabulary / "target.model", [t for _, t in pairs], config.tokenizer.target, normalise=False
    )
    build_model(config.model, source.vocabulary_size(), target.vocabulary_size()).save(run.file("model.keras"))
    save_shapes(vocabulary, TextSource(source, 40), 12)
    sentences = ["the third of may , nineteen ten", "the third of may , année ten", "Bonjour tout le monde"]
    table = predict(config, run, sentences, tmp_path / "out", attention=False, as_text=True)
    with open(table, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["unseen_words"], row["words"]) for row in rows] == [("0", "7"), ("1", "7"), ("4", "4")]
    lines = capsys.readouterr().err.splitlines()
    assert 'note: "the third of may , année ten" has 1 of 7 words (14%) that the training text never held' in lines
    assert (
        'warning: "Bonjour tout le monde" has 4 of 4 words (100%) that the training text never held: the model never '
        "saw text like it, so its translation means little"
    ) in lines
    assert not any("nineteen" in line for line in lines)
