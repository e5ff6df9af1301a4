"""Training steps per second of one template on each backend and device layout: TensorFlow on one device (XLA off,
its CPU default, and on), TensorFlow's MirroredStrategy on two logical CPU devices, JAX on one device, JAX's
DataParallel on two XLA host devices of one process, and two JAX processes of one device each on 127.0.0.1 (the
several-hosts path, `distribution:`).

Each variant is the image-classification template's `train` verb, run as a user runs it, on its sample data with
float32 (on a CPU without bf16 instructions auto would differ per backend); its speed is the median of the
`examples_per_second` of its epochs after the first (tracing and compiling), divided by the batch size. The
machine is shared and noisy, so the variants run in turn, round after round, and each reports its median over
the rounds. Two devices on two CPU cores share those cores: this measures what the distribution costs, not a
speed-up. Needs JAX in this environment: `.venv/bin/pip install "jax~=0.10"`. Prints Markdown for RESULTS.md.

    .venv/bin/python benchmarks/backends.py [--rounds 3] [--epochs 4]
"""

import argparse
import csv
import os
import socket
import subprocess
import sys
from statistics import median

import baked

BATCH = 32
# name: (environment, process count)
VARIANTS = {
    "TensorFlow, 1 device, XLA off": ({"KERAS_BACKEND": "tensorflow"}, 1),
    "TensorFlow, 1 device, XLA on": ({"KERAS_BACKEND": "tensorflow", "JIT": "true"}, 1),
    "TensorFlow, MirroredStrategy, 2 devices": ({"KERAS_BACKEND": "tensorflow", "MIRRORED": "2"}, 1),
    "JAX, 1 device": ({"KERAS_BACKEND": "jax"}, 1),
    "JAX, DataParallel, 2 devices": (
        {"KERAS_BACKEND": "jax", "XLA_FLAGS": "--xla_force_host_platform_device_count=2"},
        1,
    ),
    "JAX, 2 processes of 1 device": ({"KERAS_BACKEND": "jax"}, 2),
}
# The train verb, with TensorFlow's CPU split in two logical devices for MirroredStrategy when MIRRORED is set.
TRAIN = """
import os, sys
if os.environ.get("MIRRORED"):
    from image_classifier.runtime.quiet import import_tensorflow
    import_tensorflow()
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from image_classifier.runtime import device
    device.choose_strategy = lambda: tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
from image_classifier.cli import main
main(sys.argv[1:])
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_variant(project, name, environment, processes, epochs, index):
    """Trains one run of the variant; returns its steps per second."""
    run_name = f"bench-{index}-{abs(hash(name)) % 10**6}"
    overrides = [
        "train",
        f"run.name={run_name}",
        f"train.epochs={epochs}",
        "train.precision=float32",
        f"data.batch_size={BATCH}",
        "train.progress=epochs",
        f"train.jit_compile={environment.get('JIT', 'auto')}",
    ]
    env = {**baked.imported_from_src(project), **environment}
    port = free_port()
    cluster = [f"distribution.coordinator=127.0.0.1:{port}", f"distribution.processes={processes}"]
    commands = [
        overrides + (cluster + [f"distribution.process_id={process}"] if processes > 1 else [])
        for process in range(processes)
    ]
    running = [
        subprocess.Popen(
            [sys.executable, "-c", TRAIN, *command],
            cwd=project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    ]
    for process in running:
        out, err = process.communicate()
        if process.returncode:
            sys.exit(f"{name}: exit {process.returncode}\n{out[-2000:]}\n{err[-3000:]}")
    with open(project / "runs" / run_name / "history.csv", newline="") as handle:
        speeds = [float(row["examples_per_second"]) for row in csv.DictReader(handle)][1:]
    return median(speeds) / BATCH


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=4)
    args = parser.parse_args()
    project = baked.bake("image-classification")
    env = baked.imported_from_src(project)
    subprocess.run([sys.executable, "-m", project.name, "sample-data"], cwd=project, env=env, check=True)
    speeds = {name: [] for name in VARIANTS}
    for round_index in range(args.rounds):
        for name, (environment, processes) in VARIANTS.items():
            speeds[name].append(run_variant(project, name, environment, processes, args.epochs, round_index))
            print(f"round {round_index + 1}: {name}: {speeds[name][-1]:.2f} steps/s", file=sys.stderr, flush=True)
    base = median(speeds[next(iter(VARIANTS))])
    print("| backend, devices | steps/s | vs TensorFlow, 1 device, XLA off |")
    print("|---|---|---|")
    for name, values in speeds.items():
        print(f"| {name} | {median(values):.2f} | {median(values) / base:.2f}x |")


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    main()
