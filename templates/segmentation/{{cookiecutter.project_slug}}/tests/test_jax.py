"""Training on the JAX backend, tested on a CPU: `keras.distribution.DataParallel` over two XLA host devices."""

import csv
import json
import os
import subprocess
import sys


def test_jax_backend_trains_on_two_devices(sample_dir, tmp_path):
    environment = {
        **os.environ,
        "KERAS_BACKEND": "jax",
        # XLA without its backend optimisations: this test checks what trains, not how fast, and compiling each
        # step's shapes was most of its time (bert's: the same losses in 60 % of it)
        "XLA_FLAGS": "--xla_force_host_platform_device_count=2 --xla_backend_optimization_level=0",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "{{ cookiecutter.package_name }}",
            "train",
            f"data.images_dir={sample_dir}/images",
            f"data.masks_dir={sample_dir}/masks",
            f"run.dir={tmp_path}",
            "run.name=jax",
            "data.image_size=32",
            "model.filters=[8, 16]",
            "train.precision=float32",
            "train.epochs=2",
            "data.batch_size=8",
            "train.learning_rate=0.01",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=environment,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "2 replica(s)" in result.stdout
    run = tmp_path / "jax"
    with open(run / "history.csv", newline="") as handle:
        losses = [float(row["loss"]) for row in csv.DictReader(handle)]
    assert len(losses) == 2 and losses[1] < losses[0]
    assert (run / "model.keras").is_file()
    assert 0.0 <= json.loads((run / "metrics.json").read_text())["mean_iou"] <= 1.0
