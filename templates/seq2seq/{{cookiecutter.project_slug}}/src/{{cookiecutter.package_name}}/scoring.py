"""BLEU and chrF (sacrebleu) on held-out pairs: after training, by `evaluate`, and on validation every epoch.

`metrics.json` holds `bleu` and `chrf` on sacrebleu's 0-100 scale, as papers report them, and
`exact_match`, the share of translations equal to one of their references. A source that appears with
several targets (a sentence translated twice, a picture captioned five times) is translated once and
scored against all of them, as multi-reference BLEU does. `translations.tsv` lists source, reference and
translation for every held-out pair, and `attention/` shows where the model looked.
"""

import csv

import keras
import numpy as np
import sacrebleu
import tensorflow as tf

from .callbacks import tensorboard as board
from .runtime.files import atomic_path
from .translate import write_attention

ATTENTION_EXAMPLES = 4  # held-out sentences whose attention is drawn after training and by `evaluate`


def grouped(pairs):
    """`(distinct sources in first-seen order, the list of references of each)`."""
    references = {}
    for source, target in zip(*pairs, strict=True):
        references.setdefault(source, []).append(target)
    return list(references), list(references.values())


def scores(translations, references, bleu_tokenize):
    """`{"bleu", "chrf", "exact_match"}` of one translation per source against its list of references: corpus-level
    sacrebleu BLEU and chrF (0-100) and the share equal to a reference (0-1)."""
    streams = [
        [refs[i] if i < len(refs) else None for refs in references] for i in range(max(map(len, references)))
    ]  # sacrebleu: one stream per reference, None where absent
    return {
        "bleu": float(sacrebleu.corpus_bleu(translations, streams, tokenize=bleu_tokenize).score),
        "chrf": float(sacrebleu.corpus_chrf(translations, streams).score),
        "exact_match": float(np.mean([hyp in refs for hyp, refs in zip(translations, references, strict=True)])),
    }


def write_translations(path, pairs, translation_of):
    with atomic_path(path) as temporary, open(temporary, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["source", "reference", "translation"])
        writer.writerows((source, reference, translation_of[source]) for source, reference in zip(*pairs, strict=True))


def score_held_out(translator, pairs, config, run):
    """Translates the held-out sources with a progress bar; writes translations.tsv and attention maps."""
    sources, references = grouped(pairs)
    translations, ids = translator.translate(sources, config.data.batch_size, progress=True)
    metrics = scores(translations, references, config.evaluate.bleu_tokenize)
    write_translations(run.file("translations.tsv"), pairs, dict(zip(sources, translations, strict=True)))
    write_attention(
        translator, sources, ids, run.file("attention"), run.logs, "evaluation_attention", ATTENTION_EXAMPLES
    )
    return metrics


class EpochTranslations(keras.callbacks.Callback):
    """Every epoch: `val_bleu` and `val_chrf` on the first `sentences` validation sources (into the epoch logs, so
    the best checkpoint and early stopping can follow BLEU), sample translations as a TensorBoard text table,
    and the first sample's attention in TensorBoard and `val_attention.png`.

    `fitting.fit` runs it before the checkpoint and logging callbacks, which read the logs it fills in.
    """

    def __init__(self, translator, pairs, run, sentences, samples, bleu_tokenize):
        super().__init__()
        self.translator, self.run = translator, run
        sources, references = grouped(pairs)
        self.sources, self.references = sources[:sentences], references[:sentences]
        self.samples, self.bleu_tokenize = samples, bleu_tokenize

    def on_epoch_end(self, epoch, logs=None):
        translations, ids = self.translator.translate(self.sources)
        metrics = scores(translations, self.references, self.bleu_tokenize)
        if logs is not None:
            logs.update(val_bleu=metrics["bleu"], val_chrf=metrics["chrf"], val_exact_match=metrics["exact_match"])
        rows = ["| source | reference | translation |", "|---|---|---|"] + [
            f"| {source} | {' / '.join(references)} | {translation} |"
            for source, references, translation in zip(
                self.sources[: self.samples], self.references, translations, strict=False
            )
        ]
        with tf.summary.create_file_writer(str(self.run.logs)).as_default():
            tf.summary.text("validation_translations", "\n".join(rows), step=epoch)
        picture = self.translator.attention_picture(
            self.sources[0], ids[0], title=f"epoch {epoch + 1}: {self.sources[0]}"
        )
        if picture is not None:
            board.log_image(
                self.run.logs,
                "validation_attention",
                picture,
                step=epoch,
                png_path=self.run.file("val_attention.png"),
            )
