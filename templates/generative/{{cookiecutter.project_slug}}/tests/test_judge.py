"""The judge: trained once, saved and loaded back, learning classes or, without them, quarter turns."""

import dataclasses

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.data import read_data
from {{ cookiecutter.package_name }}.judge import (
    features,
    judge_accuracy,
    judged,
    probabilities,
    train_judge,
    turned,
    untrustworthy,
    validation_set,
)
from {{ cookiecutter.package_name }}.sample_images import write_sample_images


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    directory = tmp_path_factory.mktemp("sample")
    write_sample_images(directory, per_class=8, size=16, seed=0)
    config = Config()
    config.data.dir = str(directory)
    config.data.batch_size = 8
    config.quality.judge_epochs = 1
    return config


def test_each_image_gets_its_own_quarter_turn():
    images = np.arange(2 * 2 * 2, dtype="float32").reshape(2, 2, 2, 1)
    result = turned(images, np.array([0, 1], np.int32)).numpy()
    assert np.array_equal(result[0], images[0])
    assert np.array_equal(result[1], np.rot90(images[1]))


def test_without_class_folders_validation_shows_every_image_at_every_turn(config):
    data = read_data(config)
    data = dataclasses.replace(data, class_names=[], conditional=False, val_labels=[0] * len(data.val_paths))
    images, targets = validation_set(data, seed=0)
    assert images.shape == (4 * len(data.val_paths), 16, 16, 3)
    assert targets.tolist() == [turn for turn in range(4) for _ in data.val_paths]


def test_a_trained_judge_is_saved_and_loaded_back_the_same(config, tmp_path):
    data = read_data(config)
    path = tmp_path / "judge.keras"
    judge = train_judge(data, config, path, seed=0)
    assert path.is_file()
    images, targets = validation_set(data, seed=0)
    verdicts = probabilities(judge, images)
    assert judge_accuracy(judge, data, seed=0) == np.mean(verdicts.argmax(axis=-1) == targets)
    assert verdicts.shape == (6, 6) and np.allclose(verdicts.sum(axis=-1), 1.0, atol=1e-5)
    assert features(judge, images).shape == (6, 128)
    in_small_batches = judged(judge, images, batch_size=4)  # a batch of 4, then one of 2
    assert np.allclose(in_small_batches[0], features(judge, images), atol=1e-5)
    assert np.allclose(in_small_batches[1], verdicts, atol=1e-6)

    loaded = train_judge(data, config, path, seed=1)  # an existing judge is kept, not retrained
    assert np.allclose(probabilities(loaded, images), verdicts, atol=1e-6)


def test_a_judge_near_chance_is_named_with_what_to_do(config):
    data = read_data(config)  # 6 classes: chance is 1/6
    assert untrustworthy(0.26, data) is None
    assert "near chance (1/6)" in untrustworthy(0.24, data)
    without_classes = dataclasses.replace(data, class_names=[], conditional=False)  # 4 quarter turns: chance 1/4
    assert untrustworthy(0.40, without_classes) is None
    assert "put them in class folders" in untrustworthy(0.30, without_classes)
