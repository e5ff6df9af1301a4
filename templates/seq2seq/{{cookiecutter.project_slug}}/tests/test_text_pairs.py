"""Sentence-pair files read with line-numbered errors; spelled-out dates as sample translation pairs."""

import datetime

import numpy as np
import pytest

from {{ cookiecutter.package_name }} import data
from {{ cookiecutter.package_name }}.dates import (
    MONTHS,
    WEEKDAYS,
    date_pairs,
    ordinal_words,
    spoken_date,
    write_date_pairs,
    year_words,
)
from {{ cookiecutter.package_name }}.runtime.errors import UserError
from {{ cookiecutter.package_name }}.text_pairs import read_pairs


def test_tab_separated_pairs_in_any_script_with_an_unpicked_attribution_field(tmp_path):
    path = tmp_path / "jpn.txt"
    path.write_text("Hi.\tこんにちは。\tCC-BY 2.0\n\nRun!\tБеги!\tCC-BY 2.0\n", encoding="utf-8")
    assert read_pairs(path) == (["Hi.", "Run!"], ["こんにちは。", "Беги!"])
    assert read_pairs(path, source_field=1, target_field=0) == (["こんにちは。", "Беги!"], ["Hi.", "Run!"])


def test_csv_pairs_may_quote_commas(tmp_path):
    path = tmp_path / "pairs.csv"
    path.write_text('"one, two",1 2\nthree,3\n', encoding="utf-8")
    assert read_pairs(path) == (["one, two", "three"], ["1 2", "3"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"a\tb\nc\td\te\nf\tg\nh\n", r"lines 2, 4 have another number of fields than line 1 \(2\)"),
        (b"a\tb\ncaf\xe9\tcoffee\n", r"line 2 is not UTF-8 text; save the file as UTF-8"),
        (b"a\tb\n\tc\n", r"line 2 has an empty source or target"),
        (b"just one field\n", r"line 1 has one field: separate source and target by a tab"),
    ],
)
def test_mistakes_name_their_lines(tmp_path, content, message):
    path = tmp_path / "pairs.tsv"
    path.write_bytes(content)
    with pytest.raises(UserError, match=message):
        read_pairs(path)


def test_numbers_and_years_in_words():
    assert [ordinal_words(day) for day in (1, 2, 3, 5, 8, 9, 12, 20, 21, 23, 30, 31)] == [
        "first",
        "second",
        "third",
        "fifth",
        "eighth",
        "ninth",
        "twelfth",
        "twentieth",
        "twenty-first",
        "twenty-third",
        "thirtieth",
        "thirty-first",
    ]
    assert [year_words(year) for year in (1984, 1905, 1900, 2000, 2007, 2010, 2019)] == [
        "nineteen eighty-four",
        "nineteen oh five",
        "nineteen hundred",
        "two thousand",
        "two thousand and seven",
        "twenty ten",
        "twenty nineteen",
    ]


def test_a_spoken_date_names_its_day_month_year_and_true_weekday():
    rng = np.random.default_rng(0)
    date = datetime.date(1984, 3, 23)  # a Friday
    spoken = {spoken_date(date, rng) for _ in range(200)}
    assert len(spoken) == 8  # four formats, with and without the weekday
    for sentence in spoken:
        assert "twenty-third" in sentence and "march" in sentence and sentence.endswith("nineteen eighty-four")
        weekdays = [day for day in WEEKDAYS if day in sentence]
        assert weekdays in ([], ["friday"])


def test_date_pairs_are_reproducible_iso_targets_and_read_back(tmp_path):
    pairs = date_pairs(300, seed=3)
    assert pairs == date_pairs(300, seed=3) and pairs != date_pairs(300, seed=4)
    for source, target in pairs:
        date = datetime.date.fromisoformat(target)
        assert MONTHS[date.month - 1] in source.split() and year_words(date.year) in source
    (path,) = write_date_pairs({tmp_path / "sample" / "dates.tsv": 50}, seed=1)
    sources, targets = read_pairs(path)
    assert list(zip(sources, targets, strict=True)) == date_pairs(50, seed=1)


def test_sample_pairs_are_distinct_within_and_across_train_and_test(tmp_path, monkeypatch):
    """The validation split comes from train.tsv, so distinct pairs there and none shared with test.tsv leave no pair
    in two splits: a held-out score is on unseen pairs."""
    monkeypatch.setattr(data, "write_captioned_images", lambda folder, count, seed: None)  # pictures: no text pairs
    data.write_sample_data(tmp_path)
    train, test = (read_pairs(tmp_path / name) for name in ("train.tsv", "test.tsv"))
    train, test = (list(zip(*pairs, strict=True)) for pairs in (train, test))
    assert (len(train), len(test)) == (5000, 1000)
    assert len(set(train)) == len(train) and len(set(test)) == len(test)
    assert not set(train) & set(test)
