"""Training, read top to bottom: tokenizers, batches, model, `fit` with BLEU every epoch, the held-out scores.

The model learns by teacher forcing: it reads the true previous target token at every step and is scored
on the next one (cross-entropy over real tokens). Every epoch it also translates validation sentences on
its own, token by token as it will in use, and the checkpoint with the best validation BLEU is the one kept.
The tokenizers are trained into the run folder (`vocabulary/`), so a resumed run reads the same ones; the run
folder, resuming and `metrics.json` are the shared runner's (`runtime/training.py`).
"""

import keras

from . import data, scoring
from .model import build_model
from .runtime import fitting
from .runtime.optimizers import make_optimizer
from .runtime.phases import Phase
from .translate import Translator, save_shapes


def compile_for(model, phase, config, jit_compile):
    model.compile(
        optimizer=make_optimizer(config.train.optimizer, phase.learning_rate, config.train.clip_norm),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="mean_with_sample_weight"),
        weighted_metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
        jit_compile=jit_compile,
    )


def train(task, config, splits, session):
    vocabulary = session.run.file("vocabulary")
    source = data.fit_source(config, vocabulary, splits)
    target_tokenizer, max_target = data.fit_target(config, vocabulary, splits)
    save_shapes(vocabulary, source, max_target)
    batches, cut = data.training_batches(config, source, target_tokenizer, max_target, splits)
    with session.setup.scope():
        model = build_model(
            config.model, target_vocabulary=target_tokenizer.vocabulary_size(), **source.model_arguments()
        )
    session.announce(
        f"{len(splits.train[0])} training / {len(splits.val[0])} validation pairs, {source.describe()}, "
        f"target vocabulary {target_tokenizer.vocabulary_size()} ({config.tokenizer.target.kind}) up to "
        f"{max_target} tokens, {config.model.architecture}, {session.setup.precision}, "
        f"{session.setup.replicas} replica(s)"
    )
    lengths = {"max_target_tokens": max_target}
    if config.data.source != "image":
        lengths = {"max_source_tokens": source.max_tokens, **lengths}
    print(data.cut_note(config.data, lengths, cut, len(splits.train[0])), flush=True)
    translations = scoring.EpochTranslations(
        Translator(model, source, target_tokenizer, max_target, config.decode),
        splits.val,
        session.run,
        config.decode.bleu_sentences,
        config.decode.samples,
        config.evaluate.bleu_tokenize,
    )
    plan = [Phase("scratch", config.train.epochs, config.train.learning_rate)]
    final = fitting.fit(session, task, config, model, batches, plan, callbacks=[translations])
    translator = Translator(final, source, target_tokenizer, max_target, config.decode)
    metrics = scoring.score_held_out(translator, data.held_out_pairs(config.data, splits), config, session.run)
    print(
        f"finished run {session.run.path}: held-out BLEU {metrics['bleu']:.1f}, chrF {metrics['chrf']:.1f}, "
        f"exact match {metrics['exact_match']:.3f}",
        flush=True,
    )
    return metrics
