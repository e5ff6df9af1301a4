"""Training throughput of the segmentation template on this machine.

Bakes the template, writes its sample data, then in one process times training steps of the
default U-Net at the default size for:

- float32 vs mixed_bfloat16, and XLA off vs on (float32), fed by the real input pipeline;
- the input pipeline's overhead: the same steps fed by the real tf.data pipeline (decode, cache,
  oversampling, shuffle, augment) and by batches already decoded and augmented in memory.

Each variant is set up as `train` sets it up: dtype policy first, then its pipeline and a fresh model.
The machine is shared and noisy, so variants are interleaved round by round and each reports its
median over the rounds: a slow spell hits every variant alike. Prints Markdown for RESULTS.md.

    .venv/bin/python benchmarks/segmentation.py [--rounds 3] [--steps N]
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path
from statistics import median

import baked

MEASURE = """
import json, math, sys, time
from image_segmenter.runtime.quiet import import_tensorflow
import_tensorflow()
import keras, tensorflow as tf
from image_segmenter.config import load
from image_segmenter import data, train
from image_segmenter.model import build_model
from image_segmenter.runtime import device, sizing
from image_segmenter.runtime.phases import plan_phases

rounds, steps = int(sys.argv[1]), int(sys.argv[2])  # steps 0: one epoch
config = load("configs/default.yaml", [])
splits = data.read_splits(config.data, config.train.seed)
size = data.image_size(config, splits)
class_weights = data.class_weights(config, splits)
momentum = sizing.batchnorm_momentum(math.ceil(len(splits.train_images) / config.data.batch_size))
pipelines = {}


def variant(precision, jit):
    # as train() does it: dtype policy and XLA first, then the pipeline (its augmentation layers take the
    # policy too), then a fresh model, compiled with the template's loss, metrics and optimizer
    setup = device.setup(precision, jit)
    if precision not in pipelines:
        pipelines[precision] = data.training_batches(config, splits, size).train
    keras.utils.set_random_seed(config.train.seed)
    model = build_model(config, config.data.class_names, train.class_colours(config), size, momentum)
    train.compile_for(model, plan_phases(config.train, config.pretrained)[0], config, class_weights, setup.jit_compile)
    return model, pipelines[precision]


baseline, pipeline = variant("float32", False)
variants = {("float32", False, "tf.data"): (baseline, pipeline)}
batches = list(pipeline)  # one epoch, decoded and augmented once (this pass also fills the pipeline's cache)
epoch_steps = len(batches)
steps = min(steps, epoch_steps) if steps else epoch_steps
in_memory = tf.data.Dataset.from_tensor_slices(
    (tf.concat([x for x, _ in batches], 0), tf.concat([y for _, y in batches], 0))).batch(config.data.batch_size)
in_memory = in_memory.repeat().prefetch(tf.data.AUTOTUNE)
variants[("float32", False, "in memory (augmented once)")] = (baseline, in_memory)
variants[("float32", True, "tf.data")] = variant("float32", True)
variants[("mixed_bfloat16", False, "tf.data")] = variant("mixed_bfloat16", False)
for dataset in pipelines.values():
    for _ in dataset:  # a full pass completes the cache, so partial epochs (--steps) read from it too
        pass

for model, dataset in variants.values():  # warm-up: one epoch (tracing, compilation, caches)
    model.fit(dataset, epochs=1, steps_per_epoch=epoch_steps, verbose=0)
seconds = {key: [] for key in variants}
cpu_seconds = {key: [] for key in variants}  # CPU time of all the process's threads
for index in range(rounds):
    order = list(variants.items())
    if index % 2:  # tf.data and in memory run back to back, in alternating order: a drift in load cancels out
        order[0], order[1] = order[1], order[0]
    for key, (model, dataset) in order:
        start, cpu_start = time.perf_counter(), time.process_time()
        model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0)
        seconds[key].append(time.perf_counter() - start)
        cpu_seconds[key].append(time.process_time() - cpu_start)
images = sum(int(x.shape[0]) for x, _ in batches[:steps])
print(json.dumps({"image_size": size, "train_images": len(splits.train_images), "epoch_images": sum(
                  int(x.shape[0]) for x, _ in batches), "epoch_steps": epoch_steps, "steps": steps,
                  "images": images, "batch_size": config.data.batch_size, "input_dtype": {
                      precision: pipeline.element_spec[0].dtype.name for precision, pipeline in pipelines.items()},
                  "rows": [[*key, seconds[key], cpu_seconds[key]] for key in variants]}))
"""


def machine():
    """CPU model, cores, and whether the CPU has bf16 matrix instructions, from /proc/cpuinfo."""
    text = Path("/proc/cpuinfo").read_text(errors="ignore")
    model = next((line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("model name")), "?")
    flags = set(next((line.split(":", 1)[1].split() for line in text.splitlines() if line.startswith("flags")), []))
    yes = lambda flag: "yes" if flag in flags else "no"  # noqa: E731
    return f"{model}, {os.cpu_count()} cores, AVX512-BF16: {yes('avx512_bf16')}, AMX: {yes('amx_bf16')}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--steps",
        type=int,
        default=0,
        help="training steps timed per variant and round (default: one epoch of the sample data)",
    )
    args = parser.parse_args()
    project = baked.bake("segmentation")
    env = baked.imported_from_src(project)
    cli = [sys.executable, "-m", "image_segmenter"]
    subprocess.run([*cli, "sample-data"], cwd=project, env=env, check=True)
    info = subprocess.run([*cli, "info"], cwd=project, env=env, capture_output=True, text=True, check=True).stdout
    default_precision = next(
        line.split(":", 1)[1].split()[0] for line in info.splitlines() if line.strip().startswith("precision:")
    )
    measured = baked.measure(project, MEASURE, args.rounds, args.steps, env=env)
    rows = measured["rows"]
    images = measured["images"]
    baseline = images / median(rows[0][3])
    print(f"machine: {machine()}\n")
    print(
        f"{measured['train_images']} training images of {measured['image_size']} px ({measured['epoch_images']} "
        f"per epoch after oversampling, {measured['epoch_steps']} steps of {measured['batch_size']}); each variant "
        f"warmed up for one epoch, then timed on {measured['steps']} steps ({images} images) per round, median of "
        f"{args.rounds} interleaved rounds; `precision: auto` is {default_precision} here\n"
    )
    print(
        "| precision | XLA | input | images/s | vs float32, XLA off, tf.data | seconds, round by round | "
        "CPU seconds, round by round |"
    )
    print("|---|---|---|---|---|---|---|")
    for precision, jit, source, seconds, cpu in rows:
        speed = images / median(seconds)
        print(
            f"| {precision} | {'on' if jit else 'off'} | {source} | {speed:.2f} | {speed / baseline:.2f}x | "
            f"{' '.join(f'{second:.2f}' for second in seconds)} | {' '.join(f'{second:.2f}' for second in cpu)} |"
        )
    pair = {
        source: (seconds, cpu)
        for precision, jit, source, seconds, cpu in rows
        if (precision, jit) == ("float32", False)
    }
    (pipeline, pipeline_cpu), (memory, memory_cpu) = pair["tf.data"], pair["in memory (augmented once)"]
    per_round = ", ".join(f"{100 * (1 - m / p):.1f}" for p, m in zip(pipeline, memory, strict=True))
    paired = median([1 - m / p for p, m in zip(pipeline, memory, strict=True)])
    print(
        f"\ninput pipeline overhead, 1 - in-memory time / tf.data time (float32, XLA off, same model): "
        f"{100 * (1 - median(memory) / median(pipeline)):.1f} % from the medians; per round: {per_round} % "
        f"(median {100 * paired:.1f} %); in CPU time, from the medians: "
        f"{100 * (1 - median(memory_cpu) / median(pipeline_cpu)):.1f} %"
    )
    print(f"\nimages the tf.data pipeline emits: {measured['input_dtype']}")


if __name__ == "__main__":
    main()
