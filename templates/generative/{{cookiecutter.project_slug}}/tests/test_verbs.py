"""The verbs on a run folder: `sample` writes a folder per class and a grid, `predict` a PNG per request, and the
exported SavedModel draws those same pictures (an untrained model of this family, built small: what is checked is
the plumbing, not the pictures' quality)."""

import csv
import dataclasses

import numpy as np
import pytest
import tensorflow as tf
import yaml
from PIL import Image

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.model import build_model
from {{ cookiecutter.package_name }}.predict import predict
from {{ cookiecutter.package_name }}.runtime.files import write_json
from {{ cookiecutter.package_name }}.runtime.rundir import Run
from {{ cookiecutter.package_name }}.sample import sample
from {{ cookiecutter.package_name }}.sampling import Sampler
from {{ cookiecutter.package_name }}.trained import load_trained

CLASSES = ["circle", "square", "star"]


def small_config():
    config = Config()
{%- if cookiecutter.model_family == 'vae' %}
    config.model.filters, config.model.latent_dim = [8, 16], 4
{%- elif cookiecutter.model_family == 'gan' %}
    config.model.filters, config.model.latent_dim = 8, 8
{%- else %}
    config.model.widths, config.model.blocks_per_level, config.model.attention_levels = [8, 16], 1, [1]
    config.model.timesteps, config.sample.steps = 50, 3
{%- endif %}
    config.sample.count, config.sample.batch_size = 2, 4
    return config


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    run = Run(tmp_path_factory.mktemp("run"))
    build_model(small_config(), 16, 3, len(CLASSES)).save(run.file("model.keras"))
    run.config_file.write_text(yaml.safe_dump(dataclasses.asdict(small_config())))
    write_json(run.file("classes.json"), {"class_names": CLASSES, "image_size": 16, "channels": 3})
    return run


def test_sample_writes_each_class_its_folder_from_the_first_seed_on(run, tmp_path):
    config = small_config()
    sample(config, run, tmp_path, first_seed=5, classes=["star", "circle"])
    assert sorted(path.name for path in (tmp_path / "star").iterdir()) == ["seed-5.png", "seed-6.png"]
    assert not (tmp_path / "square").exists() and (tmp_path / "grid.png").is_file()
    drawn = np.asarray(Image.open(tmp_path / "star" / "seed-6.png"))
    expected = Sampler(load_trained(run).model, config.sample).images([2], [6])[0]
    np.testing.assert_array_equal(drawn, expected)


def test_the_saved_model_draws_what_predict_drew(run):
    config = small_config()
    requests = ["circle:1", "star:2", "1:3", "square"]
    table = predict(config, run, requests, run.file("predictions"))
    with open(table, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["request"], row["class"], row["seed"]) for row in rows] == [
        ("circle:1", "circle", "1"),
        ("star:2", "star", "2"),
        ("1:3", "square", "3"),
        ("square", "square", "0"),
    ]
    export(config, run, ["tf_saved_model"])
    served = tf.saved_model.load(str(run.file("export") / "saved_model"))
    output = served.serve(tf.constant(requests))
    for row, image in zip(rows, output["image"].numpy(), strict=True):
        np.testing.assert_array_equal(image, np.asarray(Image.open(table.parent / row["image"])))
    by_label = served.generate(tf.constant([0, 2], tf.int32), tf.constant([1, 2], tf.int32))["image"].numpy()
    np.testing.assert_array_equal(by_label, output["image"].numpy()[:2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="unknown class"):
        served.serve(tf.constant(["triangle:1"]))
