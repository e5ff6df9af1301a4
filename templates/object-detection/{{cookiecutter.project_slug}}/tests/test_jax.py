"""The JAX backend, tested on a CPU: RetinaNet trains under `keras.distribution.DataParallel` over two XLA host
devices; Faster R-CNN, TensorFlow's alone, stops in one line."""

import csv
import json
import os
import subprocess
import sys

TINY = [
    "data.image_size=64",
    "model.filters=[8, 8, 16, 16, 16]",
    "model.pyramid_width=16",
    "model.head_width=16",
    "model.head_depth=1",
    "train.precision=float32",
    "train.epochs=2",
]


def train_on_jax(sample_dir, runs_dir, *overrides):
    """`train` in a subprocess on the JAX backend with two CPU devices."""
    environment = {
        **os.environ,
        "KERAS_BACKEND": "jax",
        # XLA without its backend optimisations: this test checks what trains, not how fast, and compiling each
        # step's shapes was most of its time (bert's: the same losses in 60 % of it)
        "XLA_FLAGS": "--xla_force_host_platform_device_count=2 --xla_backend_optimization_level=0",
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "{{ cookiecutter.package_name }}",
            "train",
            f"data.images_dir={sample_dir / 'images'}",
            f"data.annotations={sample_dir / 'annotations.json'}",
            f"run.dir={runs_dir}",
            "run.name=jax",
            *TINY,
            *overrides,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=environment,
    )


def test_retinanet_trains_on_two_jax_devices(sample_dir, tmp_path):
    result = train_on_jax(sample_dir, tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "2 replica(s)" in result.stdout
    run = tmp_path / "jax"
    with open(run / "history.csv", newline="") as handle:
        losses = [float(row["loss"]) for row in csv.DictReader(handle)]
    assert len(losses) == 2 and losses[1] < losses[0]
    assert (run / "model.keras").is_file()
    assert 0.0 <= json.loads((run / "metrics.json").read_text())["map"] <= 1.0


def test_faster_rcnn_on_jax_stops_in_one_line_before_reading_the_data(tmp_path):
    result = train_on_jax(tmp_path / "nowhere", tmp_path, "model.architecture=faster_rcnn")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: KERAS_BACKEND=jax: {{ cookiecutter.project_slug }} runs on tensorflow only (model.architecture "
        "faster_rcnn records its gradients with tf.GradientTape and proposes boxes with TensorFlow's NMS; "
        "model.architecture=retinanet runs on both); unset KERAS_BACKEND or set it to tensorflow"
    ]
