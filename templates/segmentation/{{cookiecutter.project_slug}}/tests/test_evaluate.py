"""Evaluation, prediction and serving on a model whose masks are known: a pixel is class 1 where it is red."""

import csv
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from {{ cookiecutter.package_name }}.config import load
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.predict import predict
from {{ cookiecutter.package_name }}.runtime.backbones import LabelMap
from {{ cookiecutter.package_name }}.runtime.rundir import open_run
from {{ cookiecutter.package_name }}.scoring import score

CLASSES = ["background", "thing"]
COLOURS = [[0, 0, 0], [255, 200, 0]]
OVERRIDES = ["data.classes=[{name: background, value: 0}, {name: thing, value: 7}]", "data.ignore_value=255"]


def red_is_thing_model(size=8):
    """Logit of `thing` = 20 * red / 255 - 10, of background 0: red pixels are things, dark ones background."""
    images = keras.Input((None, None, 3), name="image")
    x = keras.layers.Resizing(size, size, name="resize")(images)
    logits = keras.layers.Conv2D(2, 1, name="logits")
    x = keras.layers.Softmax(name="probabilities")(logits(x))
    model = keras.Model(images, LabelMap(CLASSES, COLOURS, name="labels")(x))
    logits.set_weights([np.array([[[[0, 20 / 255], [0, 0], [0, 0]]]]), np.array([0.0, -10.0])])
    return model


def write_pair(folder, name):
    """A 16 x 16 picture red in columns 0-7; its mask says `thing` (7) in columns 0-11, row 0 ignored (255)."""
    picture = np.zeros((16, 16, 3), dtype=np.uint8)
    picture[:, :8, 0] = 255
    mask = np.zeros((16, 16), dtype=np.uint8)
    mask[:, :12] = 7
    mask[0] = 255
    (folder / "images").mkdir(parents=True, exist_ok=True)
    (folder / "masks").mkdir(parents=True, exist_ok=True)
    Image.fromarray(picture).save(folder / "images" / f"{name}.png")
    Image.fromarray(mask).save(folder / "masks" / f"{name}.png")
    return str(folder / "images" / f"{name}.png"), str(folder / "masks" / f"{name}.png")


def test_scores_at_each_pictures_own_size_match_a_hand_count(tmp_path):
    # The model sees 8 x 8; its mask, resized back to 16 x 16, says thing in columns 0-7. Per scored row
    # (rows 1-15): thing TP 8, FN 4 (columns 8-11) -> IoU 8/12, Dice 16/20; background TP 4, FP 4 -> IoU 4/8,
    # Dice 8/12. Mean IoU (2/3 + 1/2) / 2 = 7/12; pixel accuracy 12/16.
    image, mask = write_pair(tmp_path, "a")
    metrics, matrix = score(red_is_thing_model(), [image, image], [mask, mask], load("configs/default.yaml", OVERRIDES))
    np.testing.assert_array_equal(matrix, [[4 * 30, 0], [4 * 30, 8 * 30]])
    assert metrics["iou_thing"] == pytest.approx(8 / 12)
    assert metrics["iou_background"] == pytest.approx(4 / 8)
    assert metrics["mean_iou"] == pytest.approx(7 / 12)
    assert metrics["dice_thing"] == pytest.approx(16 / 20)
    assert metrics["pixel_accuracy"] == pytest.approx(12 / 16)


@pytest.fixture
def run(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "config.yaml").write_text("data:\n  classes: [{name: background, value: 0}, {name: thing, value: 7}]\n")
    red_is_thing_model().save(folder / "model.keras")
    return open_run(folder)


def test_predict_writes_palette_masks_in_the_users_values_and_overlays(run, tmp_path):
    image, _ = write_pair(tmp_path / "data", "a")
    predict(load(run.config_file), run, [image], tmp_path / "out")
    with open(tmp_path / "out" / "predictions.csv", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert float(row["share_thing"]) == pytest.approx(0.5)
    with Image.open(tmp_path / "out" / row["mask"]) as mask:
        assert mask.mode == "P" and mask.size == (16, 16)
        values = np.asarray(mask)
        assert (values[:, :8] == 7).all() and (values[:, 8:] == 0).all()
        assert mask.convert("RGB").getpixel((0, 0)) == (255, 200, 0)  # painted in the class colour
    overlay = np.asarray(Image.open(tmp_path / "out" / row["overlay"]))
    assert overlay.shape == (16, 16, 3) and tuple(overlay[5, 12]) == (0, 0, 0)  # background left uncovered


def test_the_saved_model_serves_a_file_as_a_mask_at_its_own_size(run, tmp_path):
    image, _ = write_pair(tmp_path / "data", "a")
    export(load(run.config_file), run, ["tf_saved_model"])
    loaded = tf.saved_model.load(str(run.file("export") / "saved_model"))  # kept: its variables live with it
    served = loaded.serve(tf.constant(Path(image).read_bytes()))
    mask = served["mask"].numpy()
    assert mask.shape == (16, 16) and (mask[:, :8] == 7).all() and (mask[:, 8:] == 0).all()
    assert served["probabilities"].shape == (16, 16, 2)
    assert [name.decode() for name in served["class_names"].numpy()] == CLASSES
    assert served["palette"].numpy()[7].tolist() == [255, 200, 0]
