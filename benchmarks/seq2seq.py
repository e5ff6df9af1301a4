"""Training and decoding throughput of the seq2seq template on this machine.

Bakes the template of the checkout this script lives in, writes its sample data (spelled-out dates ->
ISO 8601), then in one process, with the data set up as `train` sets it up (seed, splits, tokenizers,
lengths, teacher-forcing batches, a model compiled by `train.compile_for`):

- training throughput, in target tokens per second (real tokens of `target_out`: PAD not counted, END
  counted) and source + target tokens per second, of five architectures at the default config's sizes:
  the recurrent GRU with additive attention (the default), with dot attention and without attention, the
  recurrent LSTM with additive attention, and the Transformer (`model.architecture=transformer`);
- decoding throughput, in sentences per second, of `Translator.translate` (the path of `predict`,
  `evaluate` and the exported model) with greedy and beam search, for the default recurrent model and
  the Transformer, on validation sentences.

Each model first trains one epoch, a warm-up that also traces its training step; every timed pass then
runs the same fixed batches. Decoding comes after the training rounds, so the decoded models have trained
one epoch plus the timed steps and end their translations with END where real ones end (an untrained
model may never emit END and decode to the maximum length); the table shows how many did and their exact
matches. Each decoder is traced by one untimed pass over the sentences first. The machine is shared and
noisy, so passes are short and variants interleaved round by round: each reports its median over the
rounds, and its ratio to the baseline is the median of per-round ratios, so a slow spell hits both sides
alike. Prints Markdown for RESULTS.md.

    .venv/bin/python benchmarks/seq2seq.py [--rounds 12] [--steps 24] [--sentences 256]
"""

import argparse
import subprocess
import sys
import time
from statistics import median

import baked

MEASURE = """
import dataclasses, json, sys, time
from pathlib import Path
from translator.runtime.quiet import import_tensorflow
import_tensorflow()
import keras
from translator.config import load
from translator import data, train
from translator.model import build_model
from translator.tokenizers import END, PAD
from translator.runtime import device
from translator.runtime.phases import Phase
from translator.runtime.seed import set_seed
from translator.translate import Translator

rounds, steps, sentence_count = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])  # steps 0: one epoch
ARCHITECTURES = {
    "recurrent GRU + additive (default)": [],
    "recurrent GRU + dot": ["model.attention=dot"],
    "recurrent GRU, no attention": ["model.attention=none"],
    "recurrent LSTM + additive": ["model.cell=lstm"],
    "transformer": ["model.architecture=transformer"],
}
DECODED = ("recurrent GRU + additive (default)", "transformer")
config = load("configs/default.yaml", [])

# as train() does it: precision and XLA, seed, pairs, source and target tokenizers and lengths, batches
setup = device.setup(config.train.precision, config.train.jit_compile)
set_seed(config.train.seed, config.train.deterministic)
splits = data.read_splits(config.data, config.train.seed)
vocabulary = Path("vocabulary")
source = data.fit_source(config, vocabulary, splits)
target_tokenizer, max_target = data.fit_target(config, vocabulary, splits)
vocabulary_sizes = [source.tokenizer.vocabulary_size(), target_tokenizer.vocabulary_size()]
lengths = [source.max_tokens, max_target]
train_data, _ = data.dataset(source, target_tokenizer, max_target, splits.train, config.data.batch_size,
                             shuffle=True, seed=config.train.seed)
epoch_steps = sum(1 for _ in train_data)  # bucketed batches: tf.data cannot count them ahead
timed_data = train_data.take(steps or epoch_steps).cache()  # the same batches in every timed pass
batches = list(timed_data)
target_tokens = int(sum(weights.numpy().sum() for _, _, weights in batches))
source_tokens = int(sum((inputs["source"].numpy() != PAD).sum() for inputs, _, _ in batches))

models = {}
for name, overrides in ARCHITECTURES.items():
    model_config = load("configs/default.yaml", overrides)
    keras.utils.set_random_seed(config.train.seed)  # each model starts from the same seed, as in its own run
    models[name] = build_model(model_config.model, *vocabulary_sizes)
    train.compile_for(models[name], Phase("scratch", model_config.train.epochs, model_config.train.learning_rate),
                      model_config, setup.jit_compile)
# seeding clears TensorFlow's kernel cache, and with it the SentencePiece models of the tokenizers: read them again
source = data.fit_source(config, vocabulary, splits)
target_tokenizer, _ = data.fit_target(config, vocabulary, splits)


class FitTimer(keras.callbacks.Callback):
    # fit's own span, from on_train_begin to on_train_end. A timer around the fit call would also count the tf.data
    # iterator's teardown as fit returns, which apparently waits for the autotuner's next wake-up (rounds snapped
    # to 5.12, 10.24, 20.48 s; not with autotune off): seconds more, not spent training.
    def on_train_begin(self, logs=None):
        self.start, self.cpu_start = time.perf_counter(), time.process_time()

    def on_train_end(self, logs=None):
        self.seconds, self.cpu_seconds = time.perf_counter() - self.start, time.process_time() - self.cpu_start


for model in models.values():  # warm-up: one epoch of training, tracing the training step
    model.fit(train_data, epochs=1, verbose=0)
training = {name: {"seconds": [], "cpu_seconds": []} for name in models}
timer = FitTimer()
for _ in range(rounds):
    for name, model in models.items():
        model.fit(timed_data, epochs=1, verbose=0, callbacks=[timer])
        training[name]["seconds"].append(timer.seconds)
        training[name]["cpu_seconds"].append(timer.cpu_seconds)

sources, references = (side[:sentence_count] for side in splits.val)
translators = {(name, strategy): Translator(models[name], source, target_tokenizer, max_target,
                                            dataclasses.replace(config.decode, strategy=strategy))
               for name in DECODED for strategy in ("greedy", "beam")}
outputs = {key: translator.translate(sources, config.data.batch_size) for key, translator in translators.items()}
decoding = {key: {"seconds": [], "cpu_seconds": []} for key in translators}
for _ in range(rounds):
    for key, translator in translators.items():
        start, cpu_start = time.perf_counter(), time.process_time()
        translator.translate(sources, config.data.batch_size)
        decoding[key]["seconds"].append(time.perf_counter() - start)
        decoding[key]["cpu_seconds"].append(time.process_time() - cpu_start)
for key, (translations, ids) in outputs.items():
    decoding[key].update(emitted_tokens=int(sum((row != PAD).sum() for row in ids)),
                         ended=sum(bool((row == END).any()) for row in ids),
                         exact=sum(text == reference for text, reference in zip(translations, references, strict=True)))
print(json.dumps({
    "precision": setup.precision, "train_pairs": len(splits.train[0]), "batch_size": config.data.batch_size,
    "epoch_steps": epoch_steps, "steps": len(batches), "lengths": lengths, "vocabulary_sizes": vocabulary_sizes,
    "target_tokens": target_tokens, "source_tokens": source_tokens, "sentences": len(sources),
    "beam_width": config.decode.beam_width, "max_target": max_target + 1,
    "training": [{"architecture": name, "parameters": models[name].count_params(), **training[name]}
                 for name in models],
    "decoding": [{"model": name, "strategy": strategy, **decoding[(name, strategy)]} for name, strategy in decoding]}))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument(
        "--steps",
        type=int,
        default=24,
        help="training steps timed per architecture and round (0: one epoch of the sample data)",
    )
    parser.add_argument("--sentences", type=int, default=256, help="validation sentences decoded per round")
    args = parser.parse_args()
    began = time.perf_counter()
    project = baked.bake("seq2seq")
    env = baked.imported_from_src(project)
    subprocess.run([sys.executable, "-m", "translator", "sample-data"], cwd=project, env=env, check=True)
    measured = baked.measure(project, MEASURE, args.rounds, args.steps, args.sentences, env=env)
    target, source = measured["target_tokens"], measured["source_tokens"]
    print(
        f"{measured['train_pairs']} training pairs, batch {measured['batch_size']} ({measured['epoch_steps']} steps "
        f"per epoch), up to {measured['lengths'][0]} source / {measured['lengths'][1]} target tokens, vocabularies "
        f"{measured['vocabulary_sizes'][0]} / {measured['vocabulary_sizes'][1]}; `precision: auto` is "
        f"{measured['precision']} here. Each model trained one epoch first (warm-up), then was timed on the same "
        f"{measured['steps']} steps ({target} target and {source} source tokens) per round, median of "
        f"{args.rounds} interleaved rounds; vs default: the median over rounds of the default's time / this "
        f"time in the same round.\n"
    )
    print(
        "| architecture | parameters | target tokens/s | source + target tokens/s | vs default | "
        "seconds per round, median (range) | CPU seconds per round |"
    )
    print("|---|---|---|---|---|---|---|")
    default = measured["training"][0]["seconds"]
    for row in measured["training"]:
        seconds = median(row["seconds"])
        print(
            f"| {row['architecture']} | {row['parameters']:,} | {target / seconds:.0f} | "
            f"{(source + target) / seconds:.0f} | {baked.paired_ratio(default, row['seconds']):.2f}x | "
            f"{baked.spread(row['seconds'])} | {median(row['cpu_seconds']):.2f} |"
        )
    sentences = measured["sentences"]
    print(
        f"\n{sentences} validation sentences through `Translator.translate` in batches of {measured['batch_size']}, "
        f"beam width {measured['beam_width']}, at most {measured['max_target']} target tokens; median of "
        f"{args.rounds} interleaved rounds after one untimed pass; vs greedy paired by round as above. Tokens "
        f"(END counted) and exact matches are those of the untimed pass.\n"
    )
    print(
        "| model | decoding | sentences/s | ms/sentence | vs greedy | seconds per round, median (range) | "
        "CPU seconds per round | emitted tokens/sentence | ended with END | exact match |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    greedy = {}
    for row in measured["decoding"]:
        seconds = median(row["seconds"])
        greedy.setdefault(row["model"], row["seconds"])
        print(
            f"| {row['model']} | {row['strategy']} | {sentences / seconds:.1f} | {1000 * seconds / sentences:.1f} | "
            f"{baked.paired_ratio(greedy[row['model']], row['seconds']):.2f}x | {baked.spread(row['seconds'])} | "
            f"{median(row['cpu_seconds']):.2f} | {row['emitted_tokens'] / sentences:.1f} | "
            f"{row['ended']}/{sentences} | {row['exact'] / sentences:.3f} |"
        )
    print(f"\n{time.perf_counter() - began:.0f} s for the whole command")


if __name__ == "__main__":
    main()
