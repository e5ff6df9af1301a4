"""Training throughput of the image-classification template on this machine.

Bakes the template, writes its sample data, then times training epochs (after one warm-up epoch)
for float32 vs mixed_bfloat16 and XLA off vs on, each in a fresh process, and the input pipeline's
overhead: the same steps fed from the real tf.data pipeline (decode, cache, augment) and from
batches already in memory. Prints a Markdown table to paste into benchmarks/RESULTS.md.

    .venv/bin/python benchmarks/image_classification.py
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from cookiecutter.main import cookiecutter

ROOT = Path(__file__).resolve().parent.parent
EPOCHS = 3

MEASURE = """
import json, sys, time
from image_classifier.runtime.quiet import import_tensorflow
import_tensorflow()
import keras, tensorflow as tf
from image_classifier.config import load
from image_classifier import data, train
from image_classifier.runtime import device

precision, jit, source, epochs = sys.argv[1], sys.argv[2] == "true", sys.argv[3], int(sys.argv[4])
config = load("configs/default.yaml", [f"train.precision={precision}", f"train.jit_compile={str(jit).lower()}"])
setup = device.setup(config.train.precision, config.train.jit_compile)
keras.utils.set_random_seed(0)
splits = data.read_splits(config.data, 0)
train_data, _ = data.training_datasets(config, splits, 64)
if source == "memory":
    batches = list(train_data)
    train_data = tf.data.Dataset.from_tensor_slices(
        (tf.concat([x for x, _ in batches], 0), tf.concat([y for _, y in batches], 0))).batch(config.data.batch_size)
    train_data = train_data.cache().prefetch(tf.data.AUTOTUNE)
model = train.build_model(config, splits.class_names, 64, 0.9)
train.compile_for(model, train.phases(config)[0], config, setup)
model.fit(train_data, epochs=1, verbose=0)
start = time.perf_counter()
model.fit(train_data, epochs=epochs, verbose=0)
seconds = time.perf_counter() - start
print(json.dumps({"images_per_second": epochs * len(splits.train_paths) / seconds}))
"""


def measure(project, precision, jit, source):
    result = subprocess.run([sys.executable, "-c", MEASURE, precision, jit, source, str(EPOCHS)], cwd=project,
                            capture_output=True, text=True, check=True, env={**os.environ, "CUDA_VISIBLE_DEVICES": ""})
    return json.loads(result.stdout.strip().splitlines()[-1])["images_per_second"]


def main():
    output = Path(tempfile.mkdtemp(prefix="bench-"))
    project = Path(cookiecutter(str(ROOT), directory="templates/image-classification", no_input=True,
                                output_dir=str(output)))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(project)], check=True)
    subprocess.run([str(Path(sys.executable).parent / "image_classifier"), "sample-data"], cwd=project, check=True)
    rows = []
    for precision in ("float32", "mixed_bfloat16"):
        for jit in ("false", "true"):
            rows.append((precision, jit, "tf.data", measure(project, precision, jit, "files")))
    best = max(rows, key=lambda row: row[3])
    memory = measure(project, best[0], best[1], "memory")
    print("| precision | XLA | input | images/s | vs float32, XLA off |")
    print("|---|---|---|---|---|")
    for precision, jit, source, speed in rows:
        print(f"| {precision} | {jit} | {source} | {speed:.0f} | {speed / rows[0][3]:.2f}x |")
    print(f"| {best[0]} | {best[1]} | in memory | {memory:.0f} | {memory / rows[0][3]:.2f}x |")
    print(f"\ninput pipeline overhead (fastest setting): {100 * (memory / best[3] - 1):.1f} %")


if __name__ == "__main__":
    main()
