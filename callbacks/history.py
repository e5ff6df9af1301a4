"""`history.csv` that stays one row per epoch across kills and resumes."""

import csv

import keras


def csv_logger(path, epochs_done):
    """A `CSVLogger` appending to `path`, after dropping rows of epochs that are trained again.

    A kill between the checkpoint and the CSV write would otherwise leave a row twice or a gap.
    """
    if path.is_file():
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        if rows:
            header, body = rows[0], rows[1:]
            kept = [row for row in body if row and int(row[0]) < epochs_done]
            with open(path, "w", newline="", encoding="utf-8") as handle:
                csv.writer(handle).writerows([header, *kept])
    return keras.callbacks.CSVLogger(str(path), append=True)
