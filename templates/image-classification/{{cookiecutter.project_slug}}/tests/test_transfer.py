"""Transfer learning, shown offline: features learnt on some shapes help to learn other shapes from few pictures.

The small CNN is pretrained on the eight `MORE_SHAPES` kinds, none of them a sample class. Then the six
sample classes are learnt from eight pictures each, twice with the same data, epochs and learning rate:
once on the pretrained backbone, frozen, with only a new head training; once from scratch. At home the
source would be ImageNet; its weights cannot be downloaded here, and generated shapes show the same effect.

Augmentation is off so that the starting weights are the only difference, and the runs are deterministic
(each in its own process: determinism cannot be switched off again) so the margin is the same every time.
"""

import json
import subprocess
import sys

import keras
import numpy as np

from {{ cookiecutter.package_name }}.datasets.shapes import MORE_SHAPES, SHAPES, write_shape_folders
from {{ cookiecutter.package_name }}.model import backbone_layers

SMALL_CNN = [
    "data.image_size=32",
    "data.batch_size=16",
    "model.blocks=[{filters: 16}, {filters: 32}, {filters: 64}]",
    "train.precision=float32",
    "train.learning_rate=0.003",
    "train.deterministic=true",
    "augment.flip=none",
    "augment.rotation=0",
    "augment.zoom=0",
    "augment.brightness=0",
    "augment.contrast=0",
]


def train(runs, name, data_dir, *overrides):
    """Trains through the command line, as a user would; returns the run folder and its metrics."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "{{ cookiecutter.package_name }}",
            "train",
            *SMALL_CNN,
            f"data.dir={data_dir}",
            f"run.dir={runs}",
            f"run.name={name}",
            *overrides,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return runs / name, json.loads((runs / name / "metrics.json").read_text())


def test_a_frozen_pretrained_backbone_beats_training_from_scratch_on_few_pictures(tmp_path):
    write_shape_folders(tmp_path / "pretrain", per_class=60, size=32, shapes=MORE_SHAPES, seed=2)
    write_shape_folders(tmp_path / "few", per_class=8, size=32, shapes=SHAPES, seed=3)
    write_shape_folders(tmp_path / "val", per_class=30, size=32, shapes=SHAPES, seed=4)
    runs = tmp_path / "runs"
    source, _ = train(runs, "pretrain", tmp_path / "pretrain", "train.epochs=20")

    budget = [f"data.val_dir={tmp_path / 'val'}", "train.epochs=15"]
    transfer, transferred = train(
        runs,
        "transfer",
        tmp_path / "few",
        *budget,
        f"model.weights={source / 'model.keras'}",
        "train.finetune_epochs=0",
    )
    _, scratch = train(runs, "scratch", tmp_path / "few", *budget)

    # measured here: 0.54 against 0.38; chance is 1/6
    assert transferred["accuracy"] > scratch["accuracy"] + 0.1, (transferred["accuracy"], scratch["accuracy"])
    pretrained = keras.saving.load_model(source / "model.keras")
    after = keras.saving.load_model(transfer / "model.keras")
    for layer in backbone_layers(pretrained):  # frozen: the backbone, BatchNorm statistics included, is unchanged
        for before, now in zip(layer.get_weights(), after.get_layer(layer.name).get_weights(), strict=True):
            np.testing.assert_array_equal(before, now)
