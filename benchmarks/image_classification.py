"""Training throughput of the image-classification template on this machine.

Bakes the template, writes its sample data, then in one process times training epochs of the
default model for:

- float32 vs mixed_bfloat16, XLA off vs on, fed by the real input pipeline;
- the input pipeline's overhead: the same steps fed by the real tf.data pipeline (decode, cache,
  shuffle, augment), by the pipeline with augmentation off, and by batches already in memory.

The machine is shared and noisy, so variants are interleaved round by round and each reports its
median over the rounds: a slow spell hits every variant alike. Prints Markdown for RESULTS.md.

    .venv/bin/python benchmarks/image_classification.py [--rounds 7]
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

import baked

MEASURE = """
import json, statistics, sys, time
from image_classifier.runtime.quiet import import_tensorflow
import_tensorflow()
import keras, tensorflow as tf
from image_classifier.config import load
from image_classifier import data, train
from image_classifier.model import build_model
from image_classifier.runtime.phases import plan_phases
from image_classifier.datasets import augment

rounds = int(sys.argv[1])
NO_AUGMENTATION = ["augment.flip=none", "augment.rotation=0", "augment.zoom=0", "augment.brightness=0",
                   "augment.contrast=0"]


def datasets(overrides=()):
    config = load("configs/default.yaml", list(overrides))
    splits = data.read_splits(config.data, 0)
    size = data.image_size(config.data, splits.train_paths)
    return config, splits, size, data.training_batches(config, splits, size).train


config, splits, size, pipeline = datasets()
_, _, _, plain_pipeline = datasets(NO_AUGMENTATION)
batches = list(pipeline)  # augmented once, then replayed from memory
in_memory = tf.data.Dataset.from_tensor_slices(
    (tf.concat([x for x, _ in batches], 0), tf.concat([y for _, y in batches], 0))).batch(config.data.batch_size)
in_memory = in_memory.cache().prefetch(tf.data.AUTOTUNE)


def model_for(precision, jit):
    keras.mixed_precision.set_dtype_policy(precision)
    keras.utils.set_random_seed(0)
    model = build_model(config, splits.class_names, size, 0.9)
    train.compile_for(model, plan_phases(config.train, config.pretrained)[0], config, jit)
    return model


variants = {}
for precision in ("float32", "mixed_bfloat16"):
    for jit in (False, True):
        variants[(precision, jit, "tf.data")] = (model_for(precision, jit), pipeline)
default = model_for(sys.argv[2], False)
variants[(sys.argv[2], False, "tf.data, no augmentation")] = (default, plain_pipeline)
variants[(sys.argv[2], False, "in memory (augmented once)")] = (default, in_memory)

for model, dataset in variants.values():  # warm-up: tracing, compilation, filling the caches
    model.fit(dataset, epochs=1, verbose=0)
seconds = {key: [] for key in variants}
for _ in range(rounds):
    for key, (model, dataset) in variants.items():
        start = time.perf_counter()
        model.fit(dataset, epochs=2, verbose=0)
        seconds[key].append(time.perf_counter() - start)
images = 2 * len(splits.train_paths)

# What augmentation costs: each default layer alone on one training batch, in a compiled graph as in tf.data.
batch = tf.cast(batches[0][0], tf.float32)
layer_ms = {}
for layer in augment.image_pipeline(config.augment, seed=0).layers:
    apply = tf.function(lambda images, layer=layer: layer(images, training=True))
    apply(batch)
    durations = []
    for _ in range(30):
        start = time.perf_counter()
        apply(batch).numpy()
        durations.append(time.perf_counter() - start)
    layer_ms[type(layer).__name__] = 1000 * statistics.median(durations)
print(json.dumps({"image_size": size, "train_images": len(splits.train_paths), "batch_size": config.data.batch_size,
                  "rows": [[*key, images / statistics.median(times)] for key, times in seconds.items()],
                  "augment_ms_per_batch": layer_ms}))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    project = baked.bake("image-classification")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(project)], check=True)
    subprocess.run([str(Path(sys.executable).parent / "image_classifier"), "sample-data"], cwd=project, check=True)
    info = subprocess.run(
        [str(Path(sys.executable).parent / "image_classifier"), "info"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    default_precision = next(
        line.split(":", 1)[1].split()[0] for line in info.splitlines() if line.strip().startswith("precision:")
    )
    measured = baked.measure(
        project, MEASURE, args.rounds, default_precision, env={**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    )
    rows = measured["rows"]
    baseline = rows[0][3]
    print(
        f"{measured['train_images']} training images of {measured['image_size']} px per epoch, "
        f"median of {args.rounds} interleaved rounds of 2 epochs; `precision: auto` is {default_precision} here\n"
    )
    print("| precision | XLA | input | images/s | vs float32, XLA off |")
    print("|---|---|---|---|---|")
    for precision, jit, source, speed in rows:
        print(f"| {precision} | {'on' if jit else 'off'} | {source} | {speed:.0f} | {speed / baseline:.2f}x |")
    speeds = {source: speed for precision, jit, source, speed in rows if (precision, jit) == (default_precision, False)}
    memory = speeds["in memory (augmented once)"]
    print(
        f"\ninput pipeline overhead over in-memory batches: {100 * (memory / speeds['tf.data'] - 1):.1f} % with "
        f"augmentation, {100 * (memory / speeds['tf.data, no augmentation'] - 1):.1f} % without"
    )
    step_ms = 1000 * measured["batch_size"] / memory
    print(
        f"\nper batch of {measured['batch_size']}: a training step on in-memory data takes {step_ms:.1f} ms; "
        "each default augmentation layer alone takes\n"
    )
    print("| layer | ms per batch |")
    print("|---|---|")
    for name, milliseconds in measured["augment_ms_per_batch"].items():
        print(f"| {name} | {milliseconds:.1f} |")


if __name__ == "__main__":
    main()
