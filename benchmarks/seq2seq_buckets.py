"""Training speed of the seq2seq template on long-tailed text: batches padded to the longest sentence vs by length.

Bakes the template of the checkout this script lives in and, in one process, generates word pairs with a
long-tailed length distribution as real text has (lognormal word counts: about 6 on average, a few dozen in
the tail; the target is the source's words reversed, in other words), trains word tokenizers on them and
builds the same small model twice (the default recurrent GRU with additive attention, smaller). Both train on
the same pairs, cut to the same lengths (the longest sentence, so nothing is cut and only the padding
differs), through two pipelines:

- fixed: every batch padded to the longest training sentence (the template's pipeline before bucketing);
- bucketed: `data.dataset`, batches of similar length padded to their own longest (`datasets/buckets.py`).

Each variant first trains one epoch (warm-up, tracing every shape), then the two alternate, one epoch each per
round; each reports its median epoch over the rounds and real (non-PAD) target tokens per second, and the
speed-up is the median of per-round ratios, so a slow spell on the shared machine hits both alike.

    .venv/bin/python benchmarks/seq2seq_buckets.py [--rounds 3] [--pairs 3000]
"""

import argparse
import time
from statistics import median

import baked

MEASURE = """
import json, sys, time
from pathlib import Path
import numpy as np
from translator.runtime.quiet import import_tensorflow
import_tensorflow()
import tensorflow as tf
import keras
from translator.config import load
from translator import data, tokenizers, train
from translator.model import build_model
from translator.sources import ragged
from translator.tokenizers import PAD
from translator.runtime import device
from translator.runtime.phases import Phase

rounds, pair_count = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(0)
words = [f"w{i}" for i in range(300)]
counts = np.clip(rng.lognormal(1.5, 0.7, pair_count + 500).round(), 1, 90).astype(int)
sentences = [[words[i] for i in rng.integers(0, len(words), count)] for count in counts]
sources = [" ".join(sentence) for sentence in sentences]
targets = [" ".join(word.upper() for word in reversed(sentence)) for sentence in sentences]
splits = data.Splits((sources[:pair_count], targets[:pair_count]), (sources[pair_count:], targets[pair_count:]))
longest = int(counts[:pair_count].max())
auto = data.token_length("auto", [np.zeros(count) for count in counts[:pair_count]])
config = load("configs/default.yaml", [
    "tokenizer.source.kind=word", "tokenizer.target.kind=word", f"data.max_source_tokens={longest}",
    f"data.max_target_tokens={longest}", "model.units=64", "model.embedding_dim=32"])
setup = device.setup(config.train.precision, config.train.jit_compile)
vocabulary = Path("vocabulary")
source = data.fit_source(config, vocabulary, splits)
target_tokenizer, max_target = data.fit_target(config, vocabulary, splits)
batch_size = config.data.batch_size


def fixed_batches(pairs):
    # the template's pipeline before bucketing: every batch padded to the longest training sentence
    ids, _ = source.training_input(pairs[0])
    target_in, target_out, _ = data.teacher_forcing(tokenizers.tokenized(target_tokenizer, pairs[1]), max_target)
    elements = tf.data.Dataset.from_tensor_slices(
        (ids, ragged(target_in), ragged(target_out))
    ).map(lambda ids, target_in, target_out: (
        {"source": ids, "target_in": target_in}, target_out, tf.ones_like(target_out, tf.float32)))
    shapes = ({"source": [source.max_tokens], "target_in": [max_target + 1]}, [max_target + 1], [max_target + 1])
    elements = elements.cache().shuffle(len(pairs[0]), seed=0, reshuffle_each_iteration=True)
    return elements.padded_batch(batch_size, padded_shapes=shapes).prefetch(tf.data.AUTOTUNE)


validation = fixed_batches(splits.val)  # the same batches for both: training losses average unlike batches
pipelines = {
    "fixed: padded to the longest": fixed_batches(splits.train),
    "bucketed: padded to their own longest": data.dataset(
        source, target_tokenizer, max_target, splits.train, batch_size, shuffle=True)[0],
}


def padding(batches):
    real = padded = real_source = padded_source = steps = 0
    shapes = set()
    for inputs, target_out, weights in batches:
        real, padded = real + float(weights.numpy().sum()), padded + int(np.prod(target_out.shape))
        real_source += int((inputs["source"].numpy() != PAD).sum())
        padded_source += int(np.prod(inputs["source"].shape))
        shapes.add((inputs["source"].shape[1], target_out.shape[1]))
        steps += 1
    return {"target_tokens": int(real), "target_padding": 1 - real / padded,
            "source_padding": 1 - real_source / padded_source, "steps": steps, "shapes": len(shapes)}


class FitTimer(keras.callbacks.Callback):
    # fit's own span (a timer around fit would also count the tf.data iterator's teardown, see seq2seq.py)
    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_train_end(self, logs=None):
        self.seconds = time.perf_counter() - self.start


models, results = {}, {}
for name, batches in pipelines.items():
    keras.utils.set_random_seed(0)
    models[name] = build_model(config.model, source.tokenizer.vocabulary_size(), target_tokenizer.vocabulary_size())
    train.compile_for(models[name], Phase("scratch", 1, config.train.learning_rate), config, setup.jit_compile)
    results[name] = {**padding(batches), "seconds": []}
    start = time.perf_counter()
    models[name].fit(batches, epochs=1, verbose=0)  # warm-up: traces the training step for every shape
    results[name]["warm_up"] = time.perf_counter() - start
timer = FitTimer()
for _ in range(rounds):
    for name, batches in pipelines.items():
        models[name].fit(batches, epochs=1, verbose=0, callbacks=[timer])
        results[name]["seconds"].append(timer.seconds)
for name, model in models.items():
    results[name]["val_loss"] = model.evaluate(validation, verbose=0, return_dict=True)["loss"]
mean = float(counts[:pair_count].mean())
cut = float((counts[:pair_count] > auto).mean())
print(json.dumps({
    "precision": setup.precision, "pairs": pair_count, "batch_size": batch_size, "longest": longest, "mean": mean,
    "auto": auto, "auto_cut": cut, "parameters": models[name].count_params(),
    "results": [{"pipeline": name, **values} for name, values in results.items()]}))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pairs", type=int, default=3000, help="training pairs")
    args = parser.parse_args()
    began = time.perf_counter()
    project = baked.bake("seq2seq")
    measured = baked.measure(project, MEASURE, args.rounds, args.pairs, env=baked.imported_from_src(project))
    print(
        f"{measured['pairs']} training pairs of {measured['mean']:.1f} words on average (longest "
        f"{measured['longest']}), word tokenizers, batch {measured['batch_size']}, "
        f"recurrent GRU + additive attention at 64 units ({measured['parameters']:,} parameters), "
        f"{measured['precision']}; lengths: the longest sentence on both sides (`auto`, at most twice the "
        f"99th percentile, would take {measured['auto']}, cutting {measured['auto_cut']:.1%} of the pairs). "
        f"Median of {args.rounds} interleaved epochs after one warm-up epoch each; the validation loss "
        f"is both models' on the same 500 held-out pairs after those {args.rounds + 1} epochs.\n"
    )
    print(
        "| pipeline | steps | shapes | padding (source / target) | real target tokens/s | epoch seconds, median "
        "(range) | warm-up epoch s | vs fixed | validation loss after |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    fixed = measured["results"][0]["seconds"]
    for row in measured["results"]:
        seconds = median(row["seconds"])
        print(
            f"| {row['pipeline']} | {row['steps']} | {row['shapes']} | {row['source_padding']:.0%} / "
            f"{row['target_padding']:.0%} | {row['target_tokens'] / seconds:.0f} | {baked.spread(row['seconds'])} | "
            f"{row['warm_up']:.1f} | {baked.paired_ratio(fixed, row['seconds']):.2f}x | "
            f"{row['val_loss']:.3f} |"
        )
    print(f"\n{time.perf_counter() - began:.0f} s for the whole command")


if __name__ == "__main__":
    main()
