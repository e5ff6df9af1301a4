"""Translations for sentences given as arguments, in text files (one per line) or on stdin (`-`); captions for
pictures (files or folders of them) when the run is a captioner.

They are printed and written to `predictions.csv` (source, translation); `--attention` also draws each
translation's attention over its source as a PNG, named in the CSV's `attention` column.
"""

import csv
import sys
from pathlib import Path

from .datasets.image_files import list_inputs
from .runtime.errors import UserError
from .runtime.files import atomic_path
from .translate import load_translator, write_attention


def read_sentences(inputs):
    """Each input is a sentence, an existing text file (one sentence per line), or `-` for stdin's lines."""
    sentences = []
    for item in inputs:
        if item == "-":
            sentences += [line.strip() for line in sys.stdin if line.strip()]
        elif Path(item).is_file():
            try:
                text = Path(item).read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise UserError(f"{item} is not UTF-8 text: save it as UTF-8") from None
            sentences += [line.strip() for line in text.splitlines() if line.strip()]
        else:
            sentences.append(item)
    if not sentences:
        raise UserError("nothing to translate: the files or stdin held no non-empty line")
    return sentences


def predict(config, run, inputs, output, attention):
    """Translates (or captions) `inputs`, prints them and writes `output/predictions.csv`; returns its path."""
    sentences = list_inputs(inputs) if config.data.source == "image" else read_sentences(inputs)
    translator = load_translator(run, config.decode)
    translations, ids = translator.translate(sentences, config.data.batch_size, progress=len(sentences) > 100)
    output.mkdir(parents=True, exist_ok=True)
    maps = write_attention(translator, sentences, ids, output, run.logs / "predictions",
                           count=len(sentences)) if attention else []
    if attention and not maps:
        print("note: this model has no attention to draw (model.attention none)")
    table = output / "predictions.csv"
    with atomic_path(table) as temporary, open(temporary, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source", "translation"] + (["attention"] if maps else []))
        for index, (sentence, translation) in enumerate(zip(sentences, translations, strict=True)):
            writer.writerow([sentence, translation] + ([maps[index].name] if maps else []))
    for sentence, translation in zip(sentences, translations, strict=True):
        print(f"{sentence}\t{translation}")
    print(f"wrote {table}" + (f" and {len(maps)} attention maps" if maps else ""), file=sys.stderr)
    return table
