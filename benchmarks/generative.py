"""The generative template on this machine: time to quality of each family's demo, training and sampling speed.

For each family (`--families`, baked with `model_family`), writes the sample data, then

- trains the demo (`make demo`: the default config) as a user runs it, the `train` command in a pipe, and stamps
  each epoch's line as it arrives: the seconds until the epoch's samples (200 for VAE and GAN, 96 for diffusion, the
  same seeds every epoch) reach each conditional accuracy of `--targets`, the training images per second `fit`
  logs (`examples_per_second`, the steps only), and the run's final scores (1,000 samples, metrics.json);
- times, in one process with the trained model, drawing 64 images in batches of 64 from fixed seeds, the median of
  `--rounds` rounds after a warm-up: one decoder or generator call for VAE and GAN; for diffusion, DDIM and DDPM at
  each of `--steps`, step by step as `predict` and `sample` draw (one traced call per step, a progress bar's
  pace) and as the exported SavedModel's `tf.while_loop`;
- times the default model's training steps on random 32 x 32 batches under float32 and under mixed_bfloat16 (what
  `precision: auto` picks on a CPU with fast bfloat16), alternating the two in each round, in fresh processes.

The machine is shared and noisy: read the speeds as of this run, and compare them within it. Prints Markdown for
RESULTS.md.

    .venv/bin/python benchmarks/generative.py [--families diffusion gan vae] [--steps 10 20 50 100] [--rounds 3]
"""

import argparse
import dataclasses
import json
import subprocess
import sys
from statistics import median

import baked

MEASURE = """
import dataclasses, json, sys, time
from statistics import median
from image_generator.runtime.quiet import import_tensorflow
import_tensorflow()
from image_generator.config import load
from image_generator.runtime import device
from image_generator.runtime.rundir import Run
from image_generator.sampling import Sampler
from image_generator.scoring import requests
from image_generator.trained import load_trained

run, rounds, steps = sys.argv[1], int(sys.argv[2]), [int(count) for count in sys.argv[3:]]
config = load(f"{run}/config.yaml")
device.setup(config.train.precision, config.train.jit_compile)
trained = load_trained(Run(run))
labels, seeds = requests(64, trained.num_classes, first_seed=0)


def images_per_second(sampler, draw):
    draw(sampler)  # warm-up: tracing
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        draw(sampler)
        times.append(time.perf_counter() - start)
    return len(seeds) / median(times)


def stepwise(sampler):
    sampler.images(labels, seeds)


def looped(sampler):
    sampler.serve(labels, seeds).numpy()


diffusion = hasattr(config.sample, "method")
settings = [(method, count) for method in ("ddim", "ddpm") for count in steps] if diffusion else [("decode", 0)]
speeds = []
for method, count in settings:
    sample = dataclasses.replace(config.sample, batch_size=64)
    if diffusion:
        sample = dataclasses.replace(sample, method=method, steps=count)
    sampler = Sampler(trained.model, sample)
    speeds.append(
        {"method": method, "steps": count, "stepwise": images_per_second(sampler, stepwise),
         "loop": images_per_second(sampler, looped)}
    )
print(json.dumps(speeds))
"""


TRAIN_SPEED = """
import json, sys, time
from image_generator.runtime.quiet import import_tensorflow
import_tensorflow()
import keras, numpy as np
from image_generator.config import Config
from image_generator.model import build_model, compile_model

keras.mixed_precision.set_dtype_policy(sys.argv[1])
config = Config()
model = build_model(config, 32, 3, 6)
compile_model(model, config.train.learning_rate, config, jit_compile=False)
steps_per_batch = getattr(config.model, "critic_steps", 1)
batch = config.data.batch_size * steps_per_batch
rng = np.random.default_rng(0)
inputs = {"images": rng.uniform(-1, 1, (batch, 32, 32, 3)).astype("float32"), "labels": np.arange(batch) % 6}
for _ in range(3):  # tracing
    model.train_on_batch(inputs)
start = time.perf_counter()
for _ in range(int(sys.argv[2])):
    model.train_on_batch(inputs)
print(json.dumps(int(sys.argv[2]) * config.data.batch_size / (time.perf_counter() - start)))
"""


def precision_speeds(project, rounds, env, steps=20):
    """Training images per second under float32 and mixed_bfloat16, `rounds` alternating pairs, each process fresh."""
    speeds = {"float32": [], "mixed_bfloat16": []}
    for _ in range(rounds):
        for policy in speeds:
            speeds[policy].append(baked.measure(project, TRAIN_SPEED, policy, steps, env=env))
    return speeds


@dataclasses.dataclass
class Result:
    family: str
    curve: list
    seconds: float
    final: dict
    speeds: list
    precisions: dict


def benchmark(family, args):
    project = baked.bake("generative", {"model_family": family})
    env = baked.imported_from_src(project)
    subprocess.run([sys.executable, "-m", project.name, "sample-data"], cwd=project, env=env, check=True)
    curve, seconds = baked.epoch_lines(project, ["run.name=demo", *args.overrides], "val_kid")
    run = project / "runs" / "demo"
    speeds = baked.measure(project, MEASURE, run, args.rounds, *args.steps, env=env)
    precisions = precision_speeds(project, args.rounds, env)
    return Result(family, curve, seconds, json.loads((run / "metrics.json").read_text()), speeds, precisions)


def report(result, targets):
    curve = result.curve
    print(f"### {result.family}\n")
    print(f"Demo: {len(curve)} epochs, {result.seconds:.0f} s from the judge's training to the final scores.\n")
    print("| epoch samples' conditional accuracy reached | epoch | seconds |")
    print("|---|---|---|")
    for target in targets:
        reached = next((i for i, (_, logs) in enumerate(curve) if logs["val_conditional_accuracy"] >= target), None)
        cells = ("not reached", "") if reached is None else (reached + 1, f"{curve[reached][0]:.0f}")
        print(f"| {target} | {cells[0]} | {cells[1]} |")
    final = result.final
    print(
        "\nFinal scores (metrics.json: the kept epoch, `quality.samples` samples): conditional accuracy "
        f"{final['conditional_accuracy']:.3f}, "
        f"diversity {final['diversity']:.3f}, KID {final['kid']:.3f}; the judge's accuracy "
        f"{final['judge_accuracy']:.3f}. Training: "
        f"{median(logs['examples_per_second'] for _, logs in curve):.0f} images per second (median of epochs).\n"
    )
    print("| sampling | steps | images/s, step by step | images/s, one while_loop |")
    print("|---|---|---|---|")
    for speed in result.speeds:
        print(f"| {speed['method']} | {speed['steps']} | {speed['stepwise']:.1f} | {speed['loop']:.1f} |")
    float32, bfloat16 = result.precisions["float32"], result.precisions["mixed_bfloat16"]
    print(
        f"\nTraining steps on random batches, images per second: float32 {median(float32):.0f}, mixed_bfloat16 "
        f"{median(bfloat16):.0f}; bfloat16 / float32 {baked.paired_ratio(bfloat16, float32):.2f} "
        "(median of paired rounds; above 1: bfloat16 is faster).\n"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", nargs="+", default=["diffusion", "gan", "vae"])
    parser.add_argument("--targets", type=float, nargs="+", default=[0.5, 0.8, 0.9])
    parser.add_argument("--steps", type=int, nargs="+", default=[10, 20, 50, 100])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--overrides", nargs="*", default=[], help="config overrides for every demo (a quick check)")
    args = parser.parse_args()
    for family in args.families:
        report(benchmark(family, args), args.targets)


if __name__ == "__main__":
    main()
