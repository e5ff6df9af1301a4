"""Training on the JAX backend, split over two XLA host devices by `keras.distribution.DataParallel`: the fit, the
BLEU callback's decoding (compiled by JAX, between TensorFlow's tokenizers) and the held-out scores."""

import csv
import json
import os
import subprocess
import sys


def test_jax_backend_trains_on_two_devices(sample_dir, tmp_path):
    # XLA without its backend optimisations: this test checks what trains, not how fast, and compiling each
    # step's shapes was most of its time (bert's: the same losses in 60 % of it)
    environment = {
        **os.environ,
        "KERAS_BACKEND": "jax",
        "XLA_FLAGS": "--xla_force_host_platform_device_count=2 --xla_backend_optimization_level=0",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "{{ cookiecutter.package_name }}",
            "train",
            f"data.train_file={sample_dir}/train.tsv",
            "data.test_file=",
            f"run.dir={tmp_path}",
            "run.name=jax",
            "model.units=16",
            "model.embedding_dim=16",
            "data.batch_size=128",
            "decode.bleu_sentences=50",
            "train.learning_rate=0.01",
            "train.precision=float32",
            "train.epochs=2",
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
    metrics = json.loads((run / "metrics.json").read_text())
    assert 0.0 <= metrics["bleu"] <= 100.0
    assert (run / "model.keras").is_file() and (run / "translations.tsv").is_file()
