import csv
import json

import keras
import sacrebleu

from {{ cookiecutter.package_name }} import data
from {{ cookiecutter.package_name }}.callbacks.tensorboard import summary_tags
from {{ cookiecutter.package_name }}.config import Decode, load
from {{ cookiecutter.package_name }}.dates import date_pairs
from {{ cookiecutter.package_name }}.recurrent import RecurrentSeq2Seq
from {{ cookiecutter.package_name }}.runtime import training
from {{ cookiecutter.package_name }}.scoring import grouped
from {{ cookiecutter.package_name }}.task import SequenceToSequence
from {{ cookiecutter.package_name }}.translate import Translator


def train(config):
    return training.train(SequenceToSequence(), config)


def tiny_config(sample_dir, runs_dir, *overrides):
    return load(
        "configs/default.yaml",
        [
            f"data.train_file={sample_dir}/train.tsv",
            f"data.test_file={sample_dir}/test.tsv",
            f"run.dir={runs_dir}",
            "data.batch_size=32",
            "model.units=16",
            "model.embedding_dim=16",
            "decode.bleu_sentences=20",
            "decode.beam_width=2",
            "train.precision=float32",
            *overrides,
        ],
    )


def history(run):
    with open(run.history, newline="") as handle:
        return list(csv.DictReader(handle))


def test_training_writes_a_complete_run_and_the_loss_falls(sample_dir, tmp_path, capfd):
    run, metrics = train(tiny_config(sample_dir, tmp_path, "train.epochs=3", "train.learning_rate=0.01"))
    printed = capfd.readouterr()  # as a pipe gets it: the held-out translations' progress in a plain line
    assert "100/100 - " in printed.out
    assert not {"\b", "\r", "\x1b"} & set(printed.out + printed.err)  # no bar redrawn
    assert "LOG(INFO)" not in printed.err  # SentencePiece's log line as a tokenizer loads
    rows = history(run)
    assert [int(row["epoch"]) for row in rows] == [0, 1, 2]
    assert float(rows[-1]["loss"]) < 0.8 * float(rows[0]["loss"])
    assert {"val_bleu", "val_chrf", "val_accuracy"} <= set(rows[0])
    assert json.loads(run.metrics.read_text()) == metrics
    with open(run.file("translations.tsv"), newline="", encoding="utf-8") as handle:
        table = list(csv.DictReader(handle, delimiter="\t"))
    assert len(table) == 100  # every held-out pair, and the metrics are sacrebleu's on exactly these
    translation_of = {row["source"]: row["translation"] for row in table}
    sources, references = grouped(([row["source"] for row in table], [row["reference"] for row in table]))
    assert (
        metrics["bleu"]
        == sacrebleu.corpus_bleu([translation_of[s] for s in sources], [[refs[0] for refs in references]]).score
    )
    assert all(len(refs) == 1 for refs in references)  # the sample's held-out dates are distinct
    for name in (
        "model.keras",
        "vocabulary/source.model",
        "vocabulary/target.model",
        "vocabulary/shapes.json",
        "val_attention.png",
        "attention/attention_000.png",
    ):
        assert run.file(name).is_file(), name
    tags = {tag for tag, _ in summary_tags(run.logs)}
    assert {"epoch_loss", "epoch_val_loss", "epoch_val_bleu", "validation_translations", "validation_attention"} <= tags
    assert "evaluation_attention/0" in tags


def test_a_named_unfinished_run_resumes_at_its_next_epoch(sample_dir, tmp_path):
    config = tiny_config(sample_dir, tmp_path, "train.epochs=1", "run.name=resumed", "decode.strategy=greedy")
    run, _ = train(config)
    run.metrics.unlink()  # as if killed after its first epoch
    config.train.epochs = 2
    train(config)
    assert [int(row["epoch"]) for row in history(run)] == [0, 1]


def test_attention_beats_no_attention_on_long_inputs_at_equal_budget(tmp_path):
    """The seed idea in one number: without attention the decoder must carry the whole source in one state."""
    pairs = date_pairs(1700, seed=5)
    train_pairs = ([s for s, _ in pairs[:1500]], [t for _, t in pairs[:1500]])
    long = [(s, t) for s, t in pairs[1500:] if len(s) >= 40]  # the longest fifth of the spoken dates
    config = load("configs/default.yaml", [])
    splits = data.Splits(train_pairs, train_pairs)
    bleu = {}
    for attention in ("additive", "none"):
        keras.utils.set_random_seed(0)  # reseeding drops TensorFlow Text's kernel-owned models: load them again
        source = data.fit_source(config, tmp_path, splits)
        target_tokenizer, max_target = data.fit_target(config, tmp_path, splits)
        batches, _ = data.dataset(source, target_tokenizer, max_target, train_pairs, 64, shuffle=True)
        model = RecurrentSeq2Seq(
            source.tokenizer.vocabulary_size(),
            target_tokenizer.vocabulary_size(),
            units=32,
            embedding_dim=16,
            attention=attention,
            dropout=0.0,
        )
        model.compile(
            keras.optimizers.Adam(0.01, global_clipnorm=1.0),
            keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="mean_with_sample_weight"),
        )
        model.fit(batches, epochs=4, shuffle=False, verbose=0)  # the dataset shuffles; Keras' shuffle only warns
        translator = Translator(model, source, target_tokenizer, max_target, Decode(strategy="greedy"))
        translations, _ = translator.translate([s for s, _ in long])
        bleu[attention] = sacrebleu.corpus_bleu(translations, [[t for _, t in long]]).score
    assert len(long) > 50
    assert bleu["additive"] > 80 and bleu["additive"] > bleu["none"] + 40, bleu
