"""The detector: one output row per anchor, the focal-loss prior on the class head, reloading, the backbones."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from {{ cookiecutter.package_name }}.anchors import AnchorSpec, anchor_boxes
from {{ cookiecutter.package_name }}.config import load
from {{ cookiecutter.package_name }}.model import backbone_layers, build_model, set_trainable

ANCHORS = ["anchors.min_level=3", "anchors.max_level=5", "anchors.size=2", "anchors.aspect_ratios=[0.5, 1.0, 2.0]"]
SMALL = ["model.filters=[8, 8, 16, 16, 16]", "model.pyramid_width=16", "model.head_width=16"]


def pictures(count, size):
    return np.random.default_rng(0).uniform(0, 255, (count, size, size, 3)).astype(np.float32)


def test_outputs_one_row_per_anchor_in_the_anchors_order():
    config = load("configs/default.yaml", [*ANCHORS, *SMALL])
    model = build_model(config, ["cat", "dog"], 128)
    outputs = model(pictures(2, 128))
    spec = AnchorSpec(3, 5, 3, [0.5, 1.0, 2.0], 2.0)
    count = (16 * 16 + 8 * 8 + 4 * 4) * 9  # H x W x K per level: 1/8, 1/16, 1/32 of 128, 3 scales x 3 ratios
    assert len(anchor_boxes(spec, 128)) == count
    assert tuple(outputs["boxes"].shape) == (2, count, 4) and tuple(outputs["classes"].shape) == (2, count, 2)
    assert tuple(model.get_layer("classes_level3").output.shape) == (None, 16 * 16 * 9, 2)


def test_class_head_starts_at_the_prior_and_box_head_at_the_anchors():
    """The focal loss paper's prior goes on the class head (keras-hub's RetinaNet puts it on the box head): every
    class starts at probability 0.01, every box at its anchor."""
    keras.utils.set_random_seed(0)  # the initial weights: a fixed draw, so the box bound holds every run
    config = load("configs/default.yaml", [*ANCHORS, *SMALL])
    model = build_model(config, ["cat", "dog", "bird"], 64)
    bias = model.get_layer("class_output").bias.numpy()
    np.testing.assert_allclose(bias, -math.log(0.99 / 0.01), rtol=1e-6)
    np.testing.assert_array_equal(model.get_layer("box_output").bias.numpy(), 0.0)
    outputs = model(pictures(4, 64))
    probabilities = keras.ops.convert_to_numpy(keras.ops.sigmoid(outputs["classes"]))
    assert probabilities.mean() == pytest.approx(0.01, abs=0.002)
    assert np.abs(keras.ops.convert_to_numpy(outputs["boxes"])).max() < 0.2


def test_model_keras_reloads_with_its_class_names(tmp_path):
    config = load("configs/default.yaml", [*ANCHORS, *SMALL])
    model = build_model(config, ["cat", "dog"], 64)
    model.save(tmp_path / "model.keras")
    reloaded = keras.saving.load_model(tmp_path / "model.keras", compile=False)
    assert reloaded.get_layer("labels").class_names == ["cat", "dog"]
    batch = pictures(1, 64)
    np.testing.assert_allclose(reloaded(batch)["classes"], model(batch)["classes"], atol=1e-6)


def test_levels_above_the_backbone_come_from_strided_convolutions():
    config = load(
        "configs/default.yaml",
        [*SMALL, "anchors.min_level=2", "anchors.max_level=7", "anchors.size=2", "anchors.aspect_ratios=[1.0]"],
    )
    model = build_model(config, ["cat"], 128)
    assert [tuple(model.get_layer(f"pyramid_out{level}").output.shape[1:3]) for level in range(2, 8)] == [
        (32, 32),
        (16, 16),
        (8, 8),
        (4, 4),
        (2, 2),
        (1, 1),
    ]


@pytest.mark.parametrize("backbone", ["mobilenet_v3_small", "resnet50"])
def test_application_backbones_feed_the_pyramid_and_freeze_for_phase_one(backbone):
    config = load("configs/default.yaml", [*ANCHORS, *SMALL, f"model.backbone={backbone}"])
    model = build_model(config, ["cat"], 64)
    assert [tuple(model.get_layer(f"pyramid_out{level}").output.shape[1:3]) for level in (3, 4, 5)] == [
        (8, 8),
        (4, 4),
        (2, 2),
    ]
    set_trainable(model, "head")
    frozen = [layer.name for layer in model.layers if not layer.trainable]
    assert frozen == [layer.name for layer in backbone_layers(model)] and len(frozen) > 100


@pytest.mark.parametrize("level", [2, 3, 4])
def test_small_backbone_cells_are_centred_where_their_anchors_are(level):
    """Cell i of level L sees an input region centred on pixel i * 2**L, the centre of its anchors."""
    config = load("configs/default.yaml", [*ANCHORS, *SMALL])
    model = build_model(config, ["cat"], 128)  # wide enough to hold level 4's whole receptive field
    features = keras.Model(model.inputs, model.get_layer(f"stage{level}_2_relu").output)
    for layer in features.layers:  # every path open: the gradient marks the whole receptive field
        if isinstance(layer, keras.layers.Conv2D):
            layer.kernel.assign(np.ones(layer.kernel.shape, np.float32))
    pixels = tf.Variable(np.ones((1, 128, 128, 3), np.float32))
    cell = 128 // 2**level // 2
    with tf.GradientTape() as tape:
        output = features(pixels, training=False)[0, cell, cell, 0]
    rows = np.nonzero(np.abs(tape.gradient(output, pixels).numpy()[0, :, :, 0]).sum(axis=1))[0]
    assert (rows.min() + rows.max()) / 2 == cell * 2**level
