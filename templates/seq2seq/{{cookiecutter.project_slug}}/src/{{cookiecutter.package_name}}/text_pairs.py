"""Sentence pairs on disk: a TSV (tab-separated, as Tatoeba and manythings.org/anki write them) or a CSV.

Every row holds the same number of fields, at least two; `source_field` and `target_field` pick the
pair (an Anki file's third field, the attribution, is simply not picked). Files are UTF-8 in any script.
`read_pairs` reports, with line numbers, what would otherwise fail deep inside training: bytes that are
not UTF-8, rows with another number of fields, empty sources or targets.

    sources, targets = read_pairs("fra.txt")                 # tab-separated: English, French, attribution
    sources, targets = read_pairs("pairs.csv", 1, 0)         # a CSV, target first
"""

import csv
import io
from pathlib import Path

from .runtime.errors import UserError

SHOWN = 5  # line numbers quoted in one message; the count says how many more


def read_pairs(path, source_field=0, target_field=1):
    """`(sources, targets)`, two lists of strings, from a `.csv` (comma, quotes allowed) or any other file
    (tab-separated). Blank lines are skipped; a header is data, so leave it out of the file."""
    path = Path(path)
    lines = _decoded_lines(path)
    rows = []
    for number, line in lines:
        if line.strip():
            fields = next(csv.reader(io.StringIO(line))) if path.suffix.lower() == ".csv" else line.split("\t")
            rows.append((number, [field.strip() for field in fields]))
    if not rows:
        raise UserError(
            f"{path} holds no pairs: one source and target per line, separated by a "
            f"{'comma' if path.suffix.lower() == '.csv' else 'tab'}"
        )
    width = len(rows[0][1])
    if width < 2:
        raise UserError(
            f"{path} line {rows[0][0]} has one field: separate source and target by a "
            f"{'comma' if path.suffix.lower() == '.csv' else 'tab'}"
        )
    uneven = [number for number, fields in rows if len(fields) != width]
    if uneven:
        raise UserError(
            f"{path}: {_lines(uneven)} {'has' if len(uneven) == 1 else 'have'} another number of fields "
            f"than line {rows[0][0]} ({width}); each line needs its source and target and nothing more "
            f"(a tab or comma inside a sentence splits it)"
        )
    if max(source_field, target_field) >= width:
        raise UserError(
            f"{path} has {width} fields per line: data.source_field and data.target_field must be below {width}"
        )
    empty = [number for number, fields in rows if not fields[source_field] or not fields[target_field]]
    if empty:
        raise UserError(
            f"{path}: {_lines(empty)} {'has' if len(empty) == 1 else 'have'} an empty source or target; "
            f"fill them in or remove them"
        )
    return [fields[source_field] for _, fields in rows], [fields[target_field] for _, fields in rows]


def _decoded_lines(path):
    """`(line number, text)` per line; one `UserError` naming every line that is not UTF-8."""
    lines, broken = [], []
    for number, raw in enumerate(path.read_bytes().splitlines(), start=1):
        try:
            lines.append((number, raw.decode("utf-8-sig" if number == 1 else "utf-8")))
        except UnicodeDecodeError:
            broken.append(number)
    if broken:
        raise UserError(
            f"{path}: {_lines(broken)} {'is' if len(broken) == 1 else 'are'} not UTF-8 text; save the "
            f"file as UTF-8 (e.g. iconv -f latin1 -t utf-8)"
        )
    return lines


def _lines(numbers):
    more = f" and {len(numbers) - SHOWN} more" if len(numbers) > SHOWN else ""
    return ("line " if len(numbers) == 1 else "lines ") + ", ".join(map(str, numbers[:SHOWN])) + more
