"""`history.csv` that stays one row per epoch across kills and resumes, from `fit` or from a loop of its own."""

import csv
import io

import keras

from ..runtime.files import write_text


def csv_logger(path, epochs_done):
    """A `CSVLogger` appending to `path`, after dropping rows of epochs that are trained again.

    A kill between the checkpoint and the CSV write would otherwise leave a row twice or a gap.
    """
    keep_epochs_before(path, epochs_done)
    return keras.callbacks.CSVLogger(str(path), append=True)


def keep_epochs_before(path, epochs_done):
    """Drops the rows of epochs from `epochs_done` on (0-based `epoch` in the first column), if `path` exists."""
    if path.is_file():
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        if rows:
            header, body = rows[0], rows[1:]
            kept = [row for row in body if row and int(row[0]) < epochs_done]
            if len(kept) < len(body):
                text = io.StringIO(newline="")
                csv.writer(text).writerows([header, *kept])
                write_text(path, text.getvalue())  # atomically: a second kill here keeps the rows


def append_row(path, row):
    """Appends one epoch's `row` (a dict starting with `epoch`, counted from 0) to `path`, for loops that are not
    `fit`; the header is written with the first row. Write it before the epoch's checkpoint: on resume,
    `keep_epochs_before` then drops a row (or half a row) whose checkpoint never landed."""
    new = not path.is_file()
    with open(path, "a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        if new:
            writer.writeheader()
        writer.writerow(row)
