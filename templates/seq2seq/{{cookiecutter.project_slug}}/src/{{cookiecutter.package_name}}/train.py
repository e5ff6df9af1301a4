"""Training, read top to bottom: run folder, devices, seed, pairs, source and target, model, callbacks, fit, BLEU.

The model learns by teacher forcing: it reads the true previous target token at every step and is scored
on the next one (cross-entropy over real tokens). Every epoch it also translates validation sentences on
its own, token by token as it will in use, and the checkpoint with the best validation BLEU is the one kept.
"""

import keras

from . import data, evaluate
from .model import build_model
from .runtime import training
from .runtime.files import write_json
from .runtime.phases import Phase, make_optimizer
from .translate import Translator, save_shapes


def compile_for(model, phase, config, setup):
    optimizer = make_optimizer(config.train.optimizer, phase.learning_rate, config.train.clip_norm)
    model.compile(
        optimizer=optimizer,
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="mean_with_sample_weight"),
        weighted_metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
        jit_compile=setup.jit_compile,
    )


def train(config):
    run, resumed, setup, config_dict = training.begin(config)

    splits = data.read_splits(config.data, config.train.seed)
    vocabulary = run.file("vocabulary")
    source = data.fit_source(config, vocabulary, splits)
    target_tokenizer, max_target = data.fit_target(config, vocabulary, splits)
    save_shapes(vocabulary, source, max_target)
    train_data, cut = data.dataset(source, target_tokenizer, max_target, splits.train, config.data.batch_size,
                                   shuffle=True, seed=config.train.seed)
    val_data, _ = data.dataset(source, target_tokenizer, max_target, splits.val, config.data.batch_size,
                               shuffle=False)
    with setup.strategy.scope():
        model = build_model(config.model, target_vocabulary=target_tokenizer.vocabulary_size(),
                            **source.model_arguments())

    print(f"{'resuming' if resumed else 'starting'} run {run.path} at epoch {training.epochs_done(run) + 1}: "
          f"{len(splits.train[0])} training / {len(splits.val[0])} validation pairs, {source.describe()}, target "
          f"vocabulary {target_tokenizer.vocabulary_size()} ({config.tokenizer.target.kind}) up to {max_target} "
          f"tokens, {config.model.architecture}, {setup.precision}, {setup.replicas} replica(s)", flush=True)
    if cut:
        print(f"note: {cut} training sources or targets were longer than their lengths and were cut; raise "
              f"data.max_source_tokens / data.max_target_tokens to keep them whole")
    translator = Translator(model, source, target_tokenizer, max_target, config.decode)
    translations = evaluate.EpochTranslations(translator, splits.val, run, config.decode.bleu_sentences,
                                              config.decode.samples, config.evaluate.bleu_tokenize)

    def callbacks_for(phase, phase_start, epochs_so_far):
        return [translations, *training.standard_callbacks(run, phase, phase_start, epochs_so_far, config.train,
                                                           train_data, len(splits.train[0]), "bleu",
                                                           gap_metric="accuracy")]

    plan = [Phase("scratch", config.train.epochs, config.train.learning_rate)]
    final = training.fit_phases(model, run, plan, setup, lambda model, phase: compile_for(model, phase, config, setup),
                                train_data, val_data, callbacks_for)
    translator = Translator(final, source, target_tokenizer, max_target, config.decode)
    metrics = evaluate.score_held_out(translator, data.held_out_pairs(config.data, splits), config, run)
    training.finish(run, config_dict, metrics)
    write_json(run.metrics, metrics)  # metrics.json last: marks the run finished
    print(f"finished run {run.path}: held-out BLEU {metrics['bleu']:.1f}, chrF {metrics['chrf']:.1f}, "
          f"exact match {metrics['exact_match']:.3f}", flush=True)
    return run, metrics
