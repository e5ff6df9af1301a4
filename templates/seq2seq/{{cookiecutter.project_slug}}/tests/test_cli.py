import io
import sys

import pytest

from {{ cookiecutter.package_name }}.cli import main
from {{ cookiecutter.package_name }}.predict import read_sentences
from {{ cookiecutter.package_name }}.runtime.errors import UserError


def test_sentences_come_from_arguments_files_and_stdin(tmp_path, monkeypatch):
    listed = tmp_path / "sentences.txt"
    listed.write_text("may first\n\n  june second \n", encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO("july third\n"))
    assert read_sentences(["april fourth", str(listed), "-"]) == ["april fourth", "may first", "june second",
                                                                  "july third"]


def test_a_file_that_is_not_utf8_is_one_clear_error(tmp_path):
    (tmp_path / "latin1.txt").write_bytes("déjà vu\n".encode("latin-1"))
    with pytest.raises(UserError, match="latin1.txt is not UTF-8"):
        read_sentences([str(tmp_path / "latin1.txt")])


def test_summary_lists_the_attention_layers(capsys):
    main(["summary", "--vocabulary", "50", "model.units=8", "model.embedding_dim=4"])
    rows = {line.split()[0]: line.split()[-1] for line in capsys.readouterr().out.splitlines()[1:-1]}
    assert rows["source_embedding"] == "200" and rows["logits"] == "450"  # 50 x 4; 8 x 50 + 50
    assert rows["attention_keys"] == "128"  # 16 (both directions) x 8, no bias
