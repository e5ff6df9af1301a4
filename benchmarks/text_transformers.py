"""The text-transformers template on this machine: both families' demos to quality, training and generation speed.

Bakes the template twice, `model_family` bert (a classifier of the sample reviews) and gpt (a generator of the
sample grammar's lines), writes each one's sample data, then

- demo: trains each family's default config as a user runs it, `train run.name=...` in a pipe, and stamps each
  epoch's line as it arrives. bert, once per `--seeds` (`train.seed`): the seconds and epoch at which validation
  accuracy first reaches 0.95, and the held-out accuracy, bag-of-words accuracy and margin of metrics.json. gpt:
  the seconds per epoch and the held-out perplexity, bits per character, their bounds (the grammar's entropy) and
  the xz compressor's bits per character;
- throughput: training tokens per second (real tokens: bert's non-[PAD] token ids, gpt's sample weights) at the
  default model sizes, on the pipeline `train` builds from the sample data (tokenizer, lengths, length-bucketed
  batches), for float32 and mixed_bfloat16 with XLA (`jit_compile`) off and on, and bert's GRU baseline at
  float32. Each variant lives in a process of its own (`runtime/device.setup` sets precision and XLA once per
  process), trains a warm-up epoch, then times one epoch of `fit` (training steps only) each time it is asked;
  the variants take turns round by round, and each one's ratio to float32 without XLA is the median of per-round
  ratios, so a slow spell hits both sides alike;
- generation: new tokens per second of the gpt demo's model, greedy, at batch 1 and 16: keras-hub's
  `generate_step` with its key/value cache (what the project's `Generator` runs) against a loop that runs the
  whole prefix through the model again for each new token, both filling the model's window from prompts of
  `--prompt-tokens` tokens (`<|endoftext|>` and the start of held-out lines), timed alternately, median of rounds.

The machine is shared and noisy: read the speeds as of this run. Prints Markdown for RESULTS.md.

    .venv/bin/python benchmarks/text_transformers.py [--rounds 3] [--seeds 42 1 2] [--only demo|throughput|generation]

`--only generation` trains the gpt demo too: it generates with that model.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from statistics import median

import baked

SETUP_BERT = """
import json, sys, tempfile, time
from pathlib import Path
from text_transformer.runtime.quiet import import_tensorflow
import_tensorflow()
import keras
from text_transformer import data, train, wordpiece
from text_transformer.config import load
from text_transformer.model import build_model
from text_transformer.runtime import device
from text_transformer.runtime.phases import Phase
from text_transformer.runtime.seed import set_seed

# as train() does it: precision and XLA, seed, splits, a WordPiece tokenizer trained on the training texts, lengths
config = load("configs/default.yaml", sys.argv[1:])
setup = device.setup(config.train.precision, config.train.jit_compile)
set_seed(config.train.seed)
splits = data.read_splits(config.data, config.train.seed)
folder = Path(tempfile.mkdtemp())
tokenizer = wordpiece.run_tokenizer(config, folder, splits.train.texts)
ids = data.token_ids(tokenizer, splits.train.texts)
length = train.token_length(config, folder, [len(row) for row in ids])
rows = data.packed(ids, length, tokenizer.cls_token_id, tokenizer.sep_token_id)
batches = data.batches(rows, splits.train.labels, config.data.batch_size, tokenizer.pad_token_id, True,
                       config.train.seed)
shapes = [token_ids.shape.as_list() for token_ids, _ in batches]
tokens = int(sum((token_ids.numpy() != tokenizer.pad_token_id).sum() for token_ids, _ in batches))
model = build_model(config.model, tokenizer.vocabulary_size(), len(splits.classes), data.padded_length(length),
                    tokenizer.pad_token_id)
"""

SETUP_GPT = """
import json, sys, tempfile, time
from pathlib import Path
from text_transformer.runtime.quiet import import_tensorflow
import_tensorflow()
import keras
from text_transformer import byte_pairs, data, train
from text_transformer.config import load
from text_transformer.model import build_model
from text_transformer.runtime import device
from text_transformer.runtime.phases import Phase
from text_transformer.runtime.seed import set_seed
from text_transformer.sequence_lengths import sequence_length

# as train() does it: precision and XLA, seed, splits, a byte-level BPE trained on the training lines, windows
config = load("configs/default.yaml", sys.argv[1:])
setup = device.setup(config.train.precision, config.train.jit_compile)
set_seed(config.train.seed)
splits = data.read_splits(config.data, config.train.seed)
tokenizer = byte_pairs.load_or_train(Path(tempfile.mkdtemp()) / "vocabulary", splits.train, config.tokenizer)
ids = byte_pairs.tokenized(tokenizer, splits.train)
length = sequence_length(config.data.max_tokens, [len(row) for row in ids], reserved=1)
batches = data.dataset(data.windows(ids, length, tokenizer.end_token_id), length, config.data.batch_size,
                       shuffle=True, seed=config.train.seed)
shapes = [weights.shape.as_list() for _, _, weights in batches]
tokens = int(sum(weights.numpy().sum() for _, _, weights in batches))
model = build_model(config.model, tokenizer.vocabulary_size(), length)
"""

# Appended to a SETUP: warm up, say what is timed, then time one epoch per line read from stdin.
TIMED_EPOCHS = """
train.compile_for(model, Phase("scratch", config.train.epochs, config.train.learning_rate), config,
                  setup.jit_compile)


class FitTimer(keras.callbacks.Callback):
    # fit's own span: a timer around the fit call would also count tf.data's iterator teardown as fit returns
    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_train_end(self, logs=None):
        self.seconds = time.perf_counter() - self.start


timer = FitTimer()
model.fit(batches, epochs=1, verbose=0, callbacks=[timer])  # warm-up: tracing (and XLA compiling) every shape
print(json.dumps({"precision": setup.precision, "jit_compile": setup.jit_compile, "parameters": model.count_params(),
                  "tokens": tokens, "padded": sum(rows * columns for rows, columns in shapes), "steps": len(shapes),
                  "warm_up_seconds": timer.seconds}), flush=True)
for _ in sys.stdin:
    model.fit(batches, epochs=1, verbose=0, callbacks=[timer])
    print(json.dumps({"seconds": timer.seconds}), flush=True)
"""

GENERATE = """
import dataclasses, json, sys, time
from statistics import median
from text_transformer.runtime.quiet import import_tensorflow
import_tensorflow()
import tensorflow as tf
from text_transformer import byte_pairs
from text_transformer.config import load
from text_transformer.generation import Generator
from text_transformer.model import load_model
from text_transformer.text_files import read_examples

run, rounds, prompt_tokens = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
CALLS = 10  # calls per timed round: one call takes about a tenth of a second
config = load(f"{run}/config.yaml")
tokenizer = byte_pairs.load(f"{run}/vocabulary")
generator = Generator(load_model(f"{run}/model.keras"), tokenizer, dataclasses.replace(config.generate,
                                                                                       strategy="greedy"))
model, window, end = generator.model, generator.positions, tokenizer.end_token_id
lines = read_examples(config.data.test_file, config.data.example, "test_file")
starts = [ids[: prompt_tokens - 1] for ids in byte_pairs.tokenized(tokenizer, lines) if len(ids) >= prompt_tokens - 1]
prompts = tf.constant([[end, *ids] for ids in starts[:16]], tf.int32)
new_tokens = window - prompt_tokens


@tf.function
def cached(prompt):
    # keras-hub's generate_step, as Generator calls it: one pass builds the cache, then one position per step
    token_ids = tf.pad(prompt, [[0, 0], [0, new_tokens]])
    padding_mask = tf.sequence_mask(tf.fill([tf.shape(prompt)[0]], prompt_tokens), window)
    return model.generate_step({"token_ids": token_ids, "padding_mask": padding_mask})["token_ids"]


@tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32)])
def next_token(token_ids):
    logits = model({"token_ids": token_ids, "padding_mask": tf.ones_like(token_ids, tf.bool)}, training=False)
    return tf.argmax(logits[:, -1], axis=-1, output_type=tf.int32)


def uncached(prompt):
    # no cache: the whole prefix through the model again for every new token
    token_ids = prompt
    for _ in range(new_tokens):
        token_ids = tf.concat([token_ids, next_token(token_ids)[:, None]], axis=1)
    return token_ids


results = []
for batch in (1, 16):
    prompt = prompts[:batch]
    same = (cached(prompt).numpy() == uncached(prompt).numpy())[:, prompt_tokens:]  # also the warm-up: tracing
    seconds = {"cached": [], "uncached": []}
    for _ in range(rounds):
        for name, generate in (("cached", cached), ("uncached", uncached)):
            start = time.perf_counter()
            for _ in range(CALLS):
                generate(prompt).numpy()
            seconds[name].append((time.perf_counter() - start) / CALLS)
    results.append({"batch": batch, "same_tokens": float(same.mean()), "same_rows": int(same.all(axis=1).sum()),
                    **seconds})
print(json.dumps({"window": window, "new_tokens": new_tokens, "calls": CALLS, "policy": model.dtype_policy.name,
                  "results": results}))
"""


def bert_demos(project, seeds, target):
    """One Markdown row per seed: the first epoch at validation accuracy `target`, and metrics.json's scores."""
    rows = []
    for seed in seeds:
        name = f"demo-seed{seed}"
        curve, total = baked.stamped_training(project, [f"train.seed={seed}", f"run.name={name}"], "val_accuracy")
        final = json.loads((project / "runs" / name / "metrics.json").read_text())
        reached = next((epoch for epoch, (_, accuracy) in enumerate(curve, 1) if accuracy >= target), None)
        when = f"{curve[reached - 1][0]:.0f} s (epoch {reached})" if reached else "not reached"
        best = max(accuracy for _, accuracy in curve)
        rows.append(
            f"| {seed} | {when} | {best:.3f} | {len(curve)} | {total:.0f} | {final['accuracy']:.3f} | "
            f"{final['bag_of_words_accuracy']:.3f} | {final['margin_over_bag_of_words']:+.3f} |"
        )
    return rows


def gpt_demo(project):
    """Trains the gpt demo; returns its Markdown row and its run folder."""
    curve, total = baked.stamped_training(project, ["run.name=demo"], "val_bits_per_character")
    run = project / "runs" / "demo"
    final = json.loads((run / "metrics.json").read_text())
    stamps = [seconds for seconds, _ in curve]
    epochs = [later - earlier for earlier, later in zip(stamps[:-1], stamps[1:], strict=True)]
    row = (
        f"| {len(curve)} | {stamps[0]:.0f} | {median(epochs):.1f} | {total:.0f} | {final['perplexity']:.3f} | "
        f"{final['perplexity_bound']:.3f} | {final['perplexity_bound_ratio']:.3f} | "
        f"{final['bits_per_character']:.3f} | {final['bits_per_character_bound']:.3f} | "
        f"{final['compressor_bits_per_character']:.2f} |"
    )
    return row, run


class Worker:
    """A process of its own that trains one variant: `setup` (SETUP_BERT or SETUP_GPT) with config `overrides`."""

    def __init__(self, project, setup, overrides):
        self.errors = tempfile.TemporaryFile("w+")
        self.process = subprocess.Popen(
            [sys.executable, "-c", setup + TIMED_EPOCHS, *overrides],
            cwd=project,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            text=True,
            env=baked.imported_from_src(project),
        )
        self.about = self.reply()

    def reply(self):
        """The JSON of the worker's next line that is one; its error output ends the benchmark if it ended."""
        for line in self.process.stdout:
            if line.startswith("{"):
                return json.loads(line)
        self.errors.seek(0)
        sys.exit(self.errors.read()[-3000:])

    def epoch(self):
        """Seconds of one timed epoch."""
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        return self.reply()["seconds"]

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def throughput_variants(family):
    """`(variant, overrides)` of a family; the first is its baseline."""
    variants = [
        (
            f"{precision}, XLA {'on' if xla else 'off'}",
            [f"train.precision={precision}", f"train.jit_compile={str(xla).lower()}"],
        )
        for precision in ("float32", "mixed_bfloat16")
        for xla in (False, True)
    ]
    if family == "bert":
        variants.append(("GRU baseline, float32, XLA off", ["model.architecture=gru", "train.precision=float32"]))
    return variants


def throughput(projects, rounds):
    """Markdown rows of the training throughput of every variant, the variants taking turns round by round."""
    setups = {"bert": SETUP_BERT, "gpt": SETUP_GPT}
    workers = [
        (family, name, Worker(projects[family], setups[family], overrides))
        for family in ("bert", "gpt")
        for name, overrides in throughput_variants(family)
    ]
    seconds = {(family, name): [] for family, name, _ in workers}
    for _ in range(rounds):
        for family, name, worker in workers:
            seconds[(family, name)].append(worker.epoch())
    rows, baselines = [], {}
    for family, name, worker in workers:
        worker.close()
        about, timed = worker.about, seconds[(family, name)]
        baseline = baselines.setdefault(family, timed)
        rows.append(
            f"| {family} | {name} | {about['parameters']:,} | {about['tokens'] / median(timed):.0f} | "
            f"{baked.paired_ratio(baseline, timed):.2f}x | {baked.spread(timed)} | {about['warm_up_seconds']:.1f} | "
            f"{about['steps']} | {about['tokens']} ({1 - about['tokens'] / about['padded']:.0%}) |"
        )
    return rows


def generation(project, run, rounds, prompt_tokens):
    """The note on what was generated and the Markdown rows of cached and uncached generation."""
    measured = baked.measure(project, GENERATE, run, rounds, prompt_tokens, env=baked.imported_from_src(project))
    new = measured["new_tokens"]
    note = (
        f"{new} new tokens after prompts of {prompt_tokens} (the model's window is {measured['window']} tokens), "
        f"greedy, the model in {measured['policy']}; milliseconds per call, median of {rounds} alternating rounds of "
        f"{measured['calls']} calls after one untimed call each; same tokens: the share of new tokens both give alike."
    )
    rows = []
    for result in measured["results"]:
        batch = result["batch"]
        for name in ("cached", "uncached"):
            timed = result[name]
            rows.append(
                f"| {batch} | {name} | {batch * new / median(timed):.0f} | {baked.spread([1000 * t for t in timed])} | "
                f"{baked.paired_ratio(result['uncached'], timed):.2f}x | {result['same_tokens']:.3f} "
                f"({result['same_rows']}/{batch} rows) |"
            )
    return note, rows


def table(header, rows):
    print(f"| {' | '.join(header)} |")
    print(f"|{'---|' * len(header)}")
    print("\n".join(rows))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 1, 2], help="train.seed of each bert demo")
    parser.add_argument("--target", type=float, default=0.95, help="the bert demo's validation accuracy to reach")
    parser.add_argument("--prompt-tokens", type=int, default=3, help="<|endoftext|> and the start of a line")
    parser.add_argument("--only", choices=("demo", "throughput", "generation"))
    args = parser.parse_args()
    parts = {args.only} if args.only else {"demo", "throughput", "generation"}
    began = time.perf_counter()
    projects = {family: baked.bake("text-transformers", {"model_family": family}) for family in ("bert", "gpt")}
    for project in projects.values():
        subprocess.run(
            [sys.executable, "-m", project.name, "sample-data"],
            cwd=project,
            env=baked.imported_from_src(project),
            check=True,
            capture_output=True,
        )
    if "demo" in parts:
        print(f"bert demo: the default config, one run per `train.seed`; validation accuracy {args.target}:\n")
        header = ["seed", f"val accuracy {args.target} at", "best val accuracy", "epochs", "seconds in all"]
        rows = bert_demos(projects["bert"], args.seeds, args.target)
        table([*header, "held-out accuracy", "bag-of-words accuracy", "margin"], rows)
    if parts & {"demo", "generation"}:
        row, run = gpt_demo(projects["gpt"])
        print("\ngpt demo: the default config; held-out scores of the best epoch (metrics.json):\n")
        header = ["epochs", "first epoch s (with start-up)", "later epochs s, median", "seconds in all"]
        table([*header, "perplexity", "bound", "bound ratio", "bits/char", "bound", "xz bits/char"], [row])
    if "throughput" in parts:
        print(
            f"\nTraining throughput: one epoch of the sample data per round after a warm-up epoch, median of "
            f"{args.rounds} rounds; vs float32: the family's float32 without XLA, paired by round.\n"
        )
        header = ["family", "variant", "parameters", "real tokens/s", "vs float32", "epoch s, median (range)"]
        table([*header, "warm-up epoch s", "steps", "real tokens (padding)"], throughput(projects, args.rounds))
    if "generation" in parts:
        note, rows = generation(projects["gpt"], run, args.rounds, args.prompt_tokens)
        print(f"\nGeneration: {note}\n")
        header = ["batch", "generation", "new tokens/s", "ms per call, median (range)", "vs uncached", "same tokens"]
        table(header, rows)
    print(f"\n{time.perf_counter() - began:.0f} s for the whole command")


if __name__ == "__main__":
    main()
