"""Generated translation pairs where attention matters: dates spelled out in words -> ISO 8601.

    "friday , the twenty-third of march , nineteen eighty-four"  ->  "1984-03-23"

The source is long (up to 64 characters) and the target reorders it: the year, said last, is
written first. A decoder that squeezes the whole source into one vector forgets the details of long
inputs; one that attends finds the year, month and day where they are. Several spoken formats and
optional weekdays vary the positions. The weekday is the real one, so a pair is a true statement.
"""

import datetime
import itertools
from pathlib import Path

import numpy as np

ONES = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
ORDINALS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
FIRST_DAY, LAST_DAY = datetime.date(1900, 1, 1), datetime.date(2099, 12, 31)


def number_words(number):
    """0..99 in words: 7 -> "seven", 42 -> "forty-two"."""
    if number < 20:
        return ONES[number]
    tens, ones = divmod(number, 10)
    return TENS[tens] + (f"-{ONES[ones]}" if ones else "")


def ordinal_words(number):
    """1..31 as an ordinal: 1 -> "first", 23 -> "twenty-third", 30 -> "thirtieth"."""
    words = number_words(number)
    head, _, last = words.rpartition("-")
    if last in ORDINALS:
        last = ORDINALS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return f"{head}-{last}" if head else last


def year_words(year):
    """As people say years: 1984 -> "nineteen eighty-four", 1905 -> "nineteen oh five", 2000 -> "two thousand",
    2007 -> "two thousand and seven", 2019 -> "twenty nineteen"."""
    century, rest = divmod(year, 100)
    if year == 2000 or (2000 < year < 2010):
        return "two thousand" + (f" and {ONES[rest]}" if rest else "")
    if rest == 0:
        return f"{number_words(century)} hundred"
    return f"{number_words(century)} {'oh ' + ONES[rest] if rest < 10 else number_words(rest)}"


def spoken_date(date, rng):
    """`date` in one of several spoken English formats, lower case, commas as separate tokens."""
    day, month, year = ordinal_words(date.day), MONTHS[date.month - 1], year_words(date.year)
    formats = (
        f"the {day} of {month} , {year}",
        f"{month} the {day} , {year}",
        f"{month} {day} {year}",
        f"{day} of {month} {year}",
    )
    spoken = formats[rng.integers(len(formats))]
    if rng.random() < 0.5:
        spoken = f"{WEEKDAYS[date.weekday()]} , {spoken}"
    return spoken


def date_pairs(count, seed=0):
    """`count` pairs `(spoken date, ISO date)` of distinct days drawn uniformly from 1900-2099."""
    rng = np.random.default_rng(seed)
    days = (LAST_DAY - FIRST_DAY).days + 1
    pairs = []
    for offset in rng.choice(days, size=count, replace=False):
        date = FIRST_DAY + datetime.timedelta(days=int(offset))
        pairs.append((spoken_date(date, rng), date.isoformat()))
    return pairs


def write_date_pairs(counts, seed=0):
    """Writes `{path: count}`: each file's pairs as a TSV, one `source<TAB>target` per line, the format your own pairs
    take. The days are distinct across all the files, so no pair is in one file twice or in two of them (a held-out
    date was never trained on). Returns the paths."""
    pairs = iter(date_pairs(sum(counts.values()), seed))
    for path, count in counts.items():
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = (f"{source}\t{target}\n" for source, target in itertools.islice(pairs, count))
        path.write_text("".join(lines), encoding="utf-8")
    return list(counts)
