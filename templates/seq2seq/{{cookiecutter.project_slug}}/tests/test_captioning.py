"""Captioning: a picture's regions are the source, and the same decoders read them as they read words."""

import csv
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from {{ cookiecutter.package_name }}.captions import write_captioned_images
from {{ cookiecutter.package_name }}.config import Model, load
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.model import build_model
from {{ cookiecutter.package_name }}.predict import predict
from {{ cookiecutter.package_name }}.runtime.training import train
from {{ cookiecutter.package_name }}.task import SequenceToSequence
from {{ cookiecutter.package_name }}.tokenizers import START

PICTURES = np.random.default_rng(0).uniform(0, 255, (2, 32, 32, 3)).astype("float32")
TARGET_IN = np.array([[START, 5, 6, 7, 4], [START, 9, 10, 11, 8]], "int32")
ARCHITECTURES = [
    Model(architecture="recurrent", units=16, embedding_dim=8, dropout=0.0),
    Model(architecture="transformer", units=16, heads=2, feedforward_dim=16, layers=1, dropout=0.0),
]


def random_captioner(model_config):
    keras.utils.set_random_seed(3)
    return build_model(model_config, None, 12, image_size=32)


@pytest.mark.parametrize("model_config", ARCHITECTURES, ids=lambda config: config.architecture)
def test_a_captioner_steps_through_a_caption_as_teacher_forcing_reads_it(model_config):
    model = random_captioner(model_config)
    full = np.asarray(model({"source": PICTURES, "target_in": TARGET_IN}))
    cache = model.encode(PICTURES, TARGET_IN.shape[1])
    for position in range(TARGET_IN.shape[1]):
        logits, cache = model.decode_step(TARGET_IN[:, position : position + 1], cache, position)
        np.testing.assert_allclose(np.asarray(logits), full[:, position], atol=1e-5)


@pytest.mark.parametrize("model_config", ARCHITECTURES, ids=lambda config: config.architecture)
def test_each_word_attends_over_the_grid_of_regions(model_config):
    weights = np.asarray(random_captioner(model_config).attention_weights(PICTURES, TARGET_IN))
    assert weights.shape == (2, 5, 64)  # 32 px halved twice: an 8 x 8 grid, 4 px a region
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, atol=1e-5)


def test_a_saved_captioner_loads_without_fetching_pretrained_weights(tmp_path):
    model = random_captioner(ARCHITECTURES[0])
    model.save(tmp_path / "captioner.keras")
    loaded = keras.saving.load_model(tmp_path / "captioner.keras", compile=False)
    assert loaded.get_config()["image_encoder"]["weights"] is None
    np.testing.assert_allclose(
        loaded({"source": PICTURES, "target_in": TARGET_IN}),
        model({"source": PICTURES, "target_in": TARGET_IN}),
        atol=1e-6,
    )


def test_a_captioner_trains_predicts_and_serves_the_same_captions(tmp_path):
    train_file = write_captioned_images(tmp_path / "train", count=240, seed=0)
    test_file = write_captioned_images(tmp_path / "test", count=40, seed=1)
    config = load(
        "configs/captioning.yaml",
        [
            f"data.train_file={train_file}",
            f"data.test_file={test_file}",
            f"run.dir={tmp_path / 'runs'}",
            "data.image_size=32",
            "data.batch_size=32",
            "model.units=32",
            "model.embedding_dim=16",
            "train.epochs=6",
            "train.learning_rate=0.01",
            "decode.beam_width=2",
            "train.precision=float32",
        ],
    )
    run, metrics = train(SequenceToSequence(), config)

    with open(run.history, newline="") as handle:
        losses = [float(row["loss"]) for row in csv.DictReader(handle)]
    assert losses[-1] < 0.8 * losses[0]
    assert 0 <= metrics["bleu"] <= 100
    assert run.file("val_attention.png").is_file() and run.file("attention/attention_000.png").is_file()

    pictures = sorted(str(path) for path in (test_file.parent / "images").glob("*.png"))[:3]
    with open(predict(config, run, pictures, run.file("predictions"), attention=True), newline="") as handle:
        captions = [row["translation"] for row in csv.DictReader(handle)]
    assert len(captions) == 3 and all(captions)
    assert len(list(run.file("predictions").glob("attention_*.png"))) == 3

    export(config, run, ["tf_saved_model"])
    captioner = tf.saved_model.load(str(run.file("export/saved_model")))  # kept: serve needs its variables alive
    served = captioner.serve(tf.constant([Path(path).read_bytes() for path in pictures]))
    assert [text.decode() for text in served["translation"].numpy()] == captions
