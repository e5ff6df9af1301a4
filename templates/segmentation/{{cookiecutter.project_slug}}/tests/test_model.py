import keras
import numpy as np
import pytest

from {{ cookiecutter.package_name }}.config import load
from {{ cookiecutter.package_name }}.model import build_model, class_names_of, colours_of, encoder_layers, palette, set_trainable

CLASSES = ["background", "circle", "square", "triangle", "star"]
TWO_CLASSES = "data.classes=[{name: background, value: 0}, {name: object, value: 1}]"


def pictures(shape, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, shape).astype("float32")


def test_unet_takes_any_size_and_gives_class_probabilities_per_pixel():
    model = build_model(load("configs/default.yaml"), CLASSES, palette(5), image_size=64)
    probabilities = model.predict(pictures((2, 80, 100, 3)), verbose=0)
    assert probabilities.shape == (2, 64, 64, 5)
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0, rtol=1e-5)


def test_each_decoder_level_concatenates_the_encoder_map_of_its_size():
    config = load("configs/default.yaml", ["model.filters=[16, 32, 64, 128]"])
    model = build_model(config, CLASSES, palette(5), image_size=64)
    for level, width in enumerate([16, 32, 64, 128], start=1):
        skip = model.get_layer(f"down{level}_relu2").output
        upsampled, joined = model.get_layer(f"up{5 - level}_concat").input
        assert joined is skip  # the encoder's own feature map, not a copy
        side = 64 // 2 ** (level - 1)
        assert tuple(skip.shape) == tuple(upsampled.shape) == (None, side, side, width)
    assert tuple(model.get_layer("bottleneck_relu2").output.shape) == (None, 4, 4, 256)


@pytest.mark.parametrize("encoder", ["mobilenet_v3_small", "mobilenet_v3_large", "efficientnet_v2_b0", "resnet50"])
def test_each_application_encoder_builds_flat_with_skips_at_each_stride(encoder):
    config = load("configs/default.yaml", [f"model.encoder={encoder}", "model.weights=none"])
    model = build_model(config, CLASSES[:3], palette(3), image_size=64)
    assert model.predict(pictures((1, 50, 70, 3)), verbose=0).shape == (1, 64, 64, 3)
    for index, stride in enumerate([16, 8, 4, 2], start=1):
        upsampled, skip = model.get_layer(f"up{index}_concat").input
        assert tuple(upsampled.shape[1:3]) == tuple(skip.shape[1:3]) == (64 // stride, 64 // stride)
    assert len(encoder_layers(model)) > 100  # the application's layers, inline: fine-tuning reaches in
    set_trainable(model, "head")
    frozen = [layer.name for layer in model.layers if not layer.trainable]
    assert frozen == [layer.name for layer in encoder_layers(model)]


def test_sigmoid_head_gives_two_probabilities_from_one_logit():
    config = load("configs/default.yaml", [TWO_CLASSES, "model.activation=sigmoid"])
    model = build_model(config, ["background", "object"], palette(2), image_size=32)
    probe = keras.Model(model.input, [model.get_layer("logits").output, model.output])
    logits, probabilities = probe.predict(pictures((2, 40, 40, 3)), verbose=0)
    assert logits.shape == (2, 32, 32, 1) and probabilities.shape == (2, 32, 32, 2)
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(probabilities[..., 1:], 1 / (1 + np.exp(-logits)), rtol=1e-5)


def test_saved_model_keeps_names_colours_and_predictions(tmp_path):
    config = load("configs/default.yaml", [TWO_CLASSES, "model.activation=sigmoid"])
    colours = [[0, 0, 0], [250, 170, 30]]
    model = build_model(config, ["background", "sign"], colours, image_size=32)
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    assert class_names_of(loaded) == ["background", "sign"] and colours_of(loaded) == colours
    images = pictures((2, 48, 36, 3))
    np.testing.assert_array_equal(loaded.predict(images, verbose=0), model.predict(images, verbose=0))


def test_phases_freeze_exactly_the_encoder_and_finetune_its_top_layers_but_batchnorm():
    model = build_model(load("configs/default.yaml"), CLASSES, palette(5), image_size=64)
    encoder = [layer.name for layer in encoder_layers(model)]
    assert encoder == [layer.name for layer in model.layers if layer.name.startswith(("down", "bottleneck"))]
    set_trainable(model, "head")
    assert [layer.name for layer in model.layers if not layer.trainable] == encoder
    set_trainable(model, "finetune", unfreeze_top=6)  # the bottleneck: conv, bn, relu twice
    unfrozen = [name for name in encoder if model.get_layer(name).trainable]
    assert unfrozen == ["bottleneck_conv1", "bottleneck_relu1", "bottleneck_conv2", "bottleneck_relu2"]
    set_trainable(model, "scratch")
    assert all(layer.trainable for layer in model.layers)


def test_weights_of_an_earlier_run_fill_the_encoder(tmp_path):
    earlier = build_model(load("configs/default.yaml"), CLASSES, palette(5), image_size=64)
    earlier.save(tmp_path / "earlier.keras")
    config = load("configs/default.yaml", [f"model.weights={tmp_path / 'earlier.keras'}"])
    model = build_model(config, ["background", "road", "car"], palette(3), image_size=32)
    for layer in encoder_layers(model):
        originals = earlier.get_layer(layer.name).get_weights()
        for copied, original in zip(layer.get_weights(), originals, strict=True):
            np.testing.assert_array_equal(copied, original)
    # the decoder starts afresh: only the encoder transfers
    assert not np.allclose(
        model.get_layer("up4_conv1").get_weights()[0], earlier.get_layer("up4_conv1").get_weights()[0]
    )
