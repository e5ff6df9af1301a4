"""Training on two devices, tested on a CPU: under TensorFlow's MirroredStrategy (two logical CPU devices, the
multi-GPU code path) and under JAX's DataParallel (two XLA host devices)."""

import csv
import json
import os
import subprocess
import sys

import numpy as np

SCRIPT = """
import sys
from {{ cookiecutter.package_name }}.runtime.quiet import import_tensorflow
import_tensorflow()
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

from {{ cookiecutter.package_name }}.runtime import device
device.choose_strategy = lambda: tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
from {{ cookiecutter.package_name }}.config import load
from {{ cookiecutter.package_name }}.runtime.training import train
from {{ cookiecutter.package_name }}.task import ImageClassification

config = load("configs/default.yaml", [f"data.dir={sys.argv[1]}", f"run.dir={sys.argv[2]}", "data.image_size=32",
                                       "model.blocks=[{filters: 8}, {filters: 16}]", "train.precision=float32",
                                       "train.epochs=2", "data.batch_size=16", "run.name=mirrored"])
run, metrics = train(ImageClassification(), config)
print("METRICS", run.metrics.read_text().replace(chr(10), " "))
"""


def test_mirrored_strategy_on_two_cpu_replicas(sample_dir, tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(sample_dir), str(tmp_path)], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "2 replica(s)" in result.stdout
    metrics = json.loads(result.stdout.split("METRICS", 1)[1])
    assert 0.0 <= metrics["accuracy"] <= 1.0
    assert (tmp_path / "mirrored" / "checkpoints" / "state.json").is_file()


def train_on_jax(tiny_train, runs_dir, name, devices):
    """A tiny `train` on the JAX backend with `devices` CPU devices (one process), its history's losses."""
    environment = {
        **os.environ,
        "KERAS_BACKEND": "jax",
        # XLA without its backend optimisations: this test checks what trains, not how fast, and compiling each
        # step's shapes was most of its time (bert's: the same losses in 60 % of it)
        "XLA_FLAGS": f"--xla_force_host_platform_device_count={devices} --xla_backend_optimization_level=0",
    }
    result = subprocess.run(
        tiny_train(runs_dir, name, "train.epochs=3", "model.dropout=0", "train.deterministic=true"),
        capture_output=True,
        text=True,
        timeout=600,
        env=environment,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert f"{devices} replica(s)" in result.stdout
    with open(runs_dir / name / "history.csv", newline="") as handle:
        return [float(row["loss"]) for row in csv.DictReader(handle)]


def test_jax_backend_trains_the_same_global_batch_alike_on_one_and_two_devices(tiny_train, tmp_path):
    # DataParallel splits each batch of 16 in two; the gradient is still the whole batch's, so the curves agree.
    # Sums in another order part the curves slowly (0.4 % after 90 steps here); dropout is off, as its masks are
    # drawn differently for a split batch (1 % apart after one epoch); deterministic, as the augmentation in tf.data
    # is not otherwise (two runs on one device were 1 % apart).
    one = train_on_jax(tiny_train, tmp_path, "one", devices=1)
    two = train_on_jax(tiny_train, tmp_path, "two", devices=2)
    assert one[-1] < one[0]
    np.testing.assert_allclose(two, one, rtol=1e-2)
