"""Translations for sentences given as arguments, in text files (one per line) or on stdin (`-`); captions for
pictures (files or folders of them) when the run is a captioner.

An argument that looks like a file (`data/nope.txt`, `notes.csv`) but is none is a mistake, not a sentence to
translate; `--text` takes every argument as a sentence.

They are printed and written to `predictions.csv` (source, translation, and for sentences how many of their
`words` the training text never held: `unseen_words`); `--attention` also draws each translation's attention over
its source as a PNG, named in the CSV's `attention` column. A sentence with unseen words gets a note on stderr, a
warning when they are most of it: the model never saw such text, so its translation means little.
"""

import csv
import os
import sys
from pathlib import Path

from .datasets.image_files import list_inputs
from .runtime.errors import UserError
from .runtime.files import atomic_path
from .tokenizers import unseen_words
from .translate import load_translator, write_attention

TEXT_SUFFIXES = (".txt", ".tsv", ".csv")
MOSTLY_UNSEEN = 0.5  # a larger share of words the training text never held is warned about


def looks_like_a_path(item):
    """A text file's suffix, or one word with a folder separator: `notes.txt`, `data/nope`, but not `1/2 cup`."""
    has_separator = "/" in item or os.sep in item
    return Path(item).suffix.lower() in TEXT_SUFFIXES or (has_separator and not any(c.isspace() for c in item))


def read_sentences(inputs, as_text=False):
    """Each input is a sentence, an existing text file (one sentence per line), or `-` for stdin's lines;
    with `as_text`, each input is a sentence."""
    if as_text:
        return list(inputs)
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
        elif looks_like_a_path(item):
            raise UserError(
                f"input {item} looks like a file but there is no such file: give an existing text file (one sentence "
                "per line), or pass --text to translate it as a sentence"
            )
        else:
            sentences.append(item)
    if not sentences:
        raise UserError("nothing to translate: the files or stdin held no non-empty line")
    return sentences


def unseen_line(sentence, unseen, words):
    """`note: "..." has 1 of 4 words (25%) that the training text never held`; a warning when they are most."""
    share = unseen / words
    line = f'"{sentence}" has {unseen} of {words} words ({share:.0%}) that the training text never held'
    if share > MOSTLY_UNSEEN:
        return f"warning: {line}: the model never saw text like it, so its translation means little"
    return f"note: {line}"


def predict(config, run, inputs, output, attention, as_text=False):
    """Translates (or captions) `inputs`, prints them and writes `output/predictions.csv`; returns its path."""
    sentences = list_inputs(inputs) if config.data.source == "image" else read_sentences(inputs, as_text)
    translator = load_translator(run, config.decode)
    translations, ids = translator.translate(sentences, config.data.batch_size, progress=len(sentences) > 100)
    output.mkdir(parents=True, exist_ok=True)
    maps = (
        write_attention(translator, sentences, ids, output, run.logs, "predicted_attention", len(sentences))
        if attention
        else []
    )
    if attention and not maps:
        print("note: this model has no attention to draw (model.attention none)")
    counts = None
    if config.data.source == "text":
        lowercase = config.tokenizer.source.lowercase
        counts = unseen_words(run.file("vocabulary") / "source.model", sentences, lowercase)
    table = output / "predictions.csv"
    columns = ["source", "translation"] + (["unseen_words", "words"] if counts else [])
    with atomic_path(table) as temporary, open(temporary, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns + (["attention"] if maps else []))
        for index, (sentence, translation) in enumerate(zip(sentences, translations, strict=True)):
            unseen = list(counts[index]) if counts else []
            writer.writerow([sentence, translation, *unseen] + ([maps[index].name] if maps else []))
    for index, (sentence, translation) in enumerate(zip(sentences, translations, strict=True)):
        print(f"{sentence}\t{translation}")
        if counts and counts[index][0]:
            print(unseen_line(sentence, *counts[index]), file=sys.stderr)
    print(f"wrote {table}" + (f" and {len(maps)} attention maps" if maps else ""), file=sys.stderr)
    return table
