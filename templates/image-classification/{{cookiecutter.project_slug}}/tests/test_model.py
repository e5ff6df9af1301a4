import math
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from {{ cookiecutter.package_name }}.config import ConvBlock, load
from {{ cookiecutter.package_name }}.model import backbone_layers, build_model, class_names_of, set_trainable
from {{ cookiecutter.package_name }}.runtime.backbones import CaffePreprocessing


def conv_output_side(width, kernel, stride, padding):
    """output = floor((W - F + 2P) / S) + 1, with P = (F - 1) / 2 for same padding and 0 for valid."""
    pad = (kernel - 1) / 2 if padding == "same" else 0
    return math.floor((width - kernel + 2 * pad) / stride) + 1


@pytest.mark.parametrize(
    "blocks",
    [
        [ConvBlock(8, 3, 1, "same", "max", 2), ConvBlock(16, 5, 2, "valid", "average", 2)],
        [ConvBlock(8, 7, 2, "same", "none"), ConvBlock(8, 3, 1, "valid", "max", 3), ConvBlock(4, 1, 1, "valid")],
    ],
)
def test_spatial_sizes_follow_the_conv_arithmetic(blocks):
    config = load("configs/default.yaml")
    config.model.blocks = blocks
    model = build_model(config, ["a", "b"], image_size=67)
    side = 67
    for index, block in enumerate(blocks, start=1):
        side = conv_output_side(side, block.kernel_size, block.stride, block.padding)
        assert model.get_layer(f"block{index}_conv").output.shape[1:3] == (side, side)
        if block.pool != "none":
            side = conv_output_side(side, block.pool_size, block.pool_size, "valid")
            assert model.get_layer(f"block{index}_pool").output.shape[1:3] == (side, side)


def test_any_image_size_in_class_probabilities_out():
    model = build_model(load("configs/default.yaml"), ["cat", "dog", "fish"], image_size=32)
    probabilities = model.predict(np.random.default_rng(0).uniform(0, 255, (2, 50, 70, 3)), verbose=0)
    assert probabilities.shape == (2, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-3)


def test_saved_model_keeps_class_names(tmp_path):
    model = build_model(load("configs/default.yaml"), ["cat", "dog"], image_size=32)
    model.save(tmp_path / "m.keras")
    assert class_names_of(keras.saving.load_model(tmp_path / "m.keras")) == ["cat", "dog"]


def test_caffe_preprocessing_flips_to_bgr_and_centres():
    pixel = np.array([[[[10.0, 20.0, 30.0]]]], dtype="float32")
    out = keras.ops.convert_to_numpy(CaffePreprocessing()(pixel))
    np.testing.assert_allclose(out[0, 0, 0], [30 - 103.939, 20 - 116.779, 10 - 123.68], rtol=1e-5)


def test_phases_freeze_the_backbone_but_never_batchnorm_in_finetuning():
    config = load("configs/default.yaml", ["model.backbone=small_cnn"])
    model = build_model(config, ["a", "b"], image_size=32)
    set_trainable(model, "head")
    assert not model.get_layer("block1_conv").trainable and model.get_layer("logits").trainable
    set_trainable(model, "finetune", unfreeze_top=4)  # block4: conv, bn, relu, pool
    assert model.get_layer("block4_conv").trainable
    assert not model.get_layer("block4_bn").trainable
    assert not model.get_layer("block3_conv").trainable


@pytest.mark.parametrize("backbone", ["mobilenet_v3_small", "efficientnet_v2_b0", "resnet50", "vgg16", "convnext_tiny"])
def test_each_application_backbone_builds_flat_and_freezes_by_phase(backbone):
    config = load("configs/default.yaml", [f"model.backbone={backbone}"])
    model = build_model(config, ["a", "b", "c"], image_size=32)
    assert len(backbone_layers(model)) > 15  # the backbone's layers, not one nested model: fine-tuning reaches in
    assert model.predict(np.zeros((1, 40, 40, 3)), verbose=0).shape == (1, 3)
    set_trainable(model, "head")
    assert [layer.name for layer in model.layers if layer.trainable_weights] == ["logits"]
    set_trainable(model, "finetune", unfreeze_top=10)
    unfrozen = [layer for layer in backbone_layers(model) if layer.trainable]
    assert 0 < len(unfrozen) <= 10
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in unfrozen)


DOWNLOAD_OFFLINE = """
import sys, urllib.error, urllib.request

def offline(*args, **kwargs):
    raise urllib.error.URLError("network unreachable")

urllib.request.urlretrieve = offline  # before Keras imports it
from {{ cookiecutter.package_name }}.cli import main
sys.exit(main(["train", "model.backbone=mobilenet_v3_small", "model.weights=imagenet", f"data.dir={sys.argv[1]}",
               f"run.dir={sys.argv[2]}", "data.image_size=32"]))
"""


def test_an_impossible_imagenet_download_says_what_to_do(sample_dir, tmp_path):
    environment = {**os.environ, "KERAS_HOME": str(tmp_path / "keras_home")}  # no cached weights
    result = subprocess.run(
        [sys.executable, "-c", DOWNLOAD_OFFLINE, str(sample_dir), str(tmp_path / "runs")],
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "could not download the ImageNet weights of mobilenet_v3_small" in result.stderr
    assert "model.weights=none" in result.stderr
