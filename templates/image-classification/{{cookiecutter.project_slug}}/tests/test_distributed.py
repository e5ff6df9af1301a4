"""Training under MirroredStrategy, on two logical CPU devices: the multi-GPU code path, tested on a CPU."""

import json
import subprocess
import sys

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
