"""Training, read top to bottom: run folder, devices, seed, pairs, tokenizers, lengths, model, callbacks, fit, BLEU.

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
from .translate import Translator, save_lengths


def compile_for(model, phase, config, setup):
    optimizer = make_optimizer(config.train.optimizer, phase.learning_rate)
    if config.train.clip_norm > 0:
        optimizer.global_clipnorm = config.train.clip_norm
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
    tokenizer_pair = data.fit_tokenizers(vocabulary, config.tokenizer, splits)
    train_tokens = data.tokenize_pairs(splits.train, tokenizer_pair)
    lengths = data.sequence_lengths(config.data, train_tokens)
    save_lengths(vocabulary, lengths)
    train_arrays = data.teacher_forcing_arrays(train_tokens, lengths)
    val_arrays = data.teacher_forcing_arrays(data.tokenize_pairs(splits.val, tokenizer_pair), lengths)
    train_data = data.dataset(train_arrays, config.data.batch_size, shuffle=True, seed=config.train.seed)
    val_data = data.dataset(val_arrays, config.data.batch_size, shuffle=False)
    with setup.strategy.scope():
        model = build_model(config.model, *(tokenizer.vocabulary_size() for tokenizer in tokenizer_pair))

    print(f"{'resuming' if resumed else 'starting'} run {run.path} at epoch {training.epochs_done(run) + 1}: "
          f"{len(splits.train[0])} training / {len(splits.val[0])} validation pairs, vocabularies "
          f"{tokenizer_pair[0].vocabulary_size()} / {tokenizer_pair[1].vocabulary_size()} "
          f"({config.tokenizer.source.kind} / {config.tokenizer.target.kind}), up to {lengths[0]} / {lengths[1]} "
          f"tokens, {config.model.architecture}, {setup.precision}, {setup.replicas} replica(s)", flush=True)
    if train_arrays[3]:
        print(f"note: {train_arrays[3]} training pairs are longer than {lengths[0]} / {lengths[1]} tokens and "
              f"were cut; raise data.max_source_tokens / data.max_target_tokens to keep them whole")
    translator = Translator(model, *tokenizer_pair, lengths, config.decode)
    translations = evaluate.EpochTranslations(translator, splits.val, run, config.decode.bleu_sentences,
                                              config.decode.samples, config.evaluate.bleu_tokenize)

    def callbacks_for(phase, phase_start, epochs_so_far):
        return [translations, *training.standard_callbacks(run, phase, phase_start, epochs_so_far, config.train,
                                                           train_data, len(splits.train[0]), "bleu",
                                                           gap_metric="accuracy")]

    plan = [Phase("scratch", config.train.epochs, config.train.learning_rate)]
    final = training.fit_phases(model, run, plan, setup, lambda model, phase: compile_for(model, phase, config, setup),
                                train_data, val_data, callbacks_for)
    translator = Translator(final, *tokenizer_pair, lengths, config.decode)
    metrics = evaluate.score_held_out(translator, data.held_out_pairs(config.data, splits), config, run)
    training.finish(run, config_dict, metrics)
    write_json(run.metrics, metrics)  # metrics.json last: marks the run finished
    print(f"finished run {run.path}: held-out BLEU {metrics['bleu']:.1f}, chrF {metrics['chrf']:.1f}, "
          f"exact match {metrics['exact_match']:.3f}", flush=True)
    return run, metrics
