"""ONNX and LiteRT exports of the U-Net give the Keras model's probabilities, each reloaded in its own runtime."""

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.config import load
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.model import build_model, palette
from {{ cookiecutter.package_name }}.runtime.exports import run_portable
from {{ cookiecutter.package_name }}.runtime.rundir import open_run

TWO_CLASSES = "data.classes=[{name: background, value: 0}, {name: shape, value: 1}]"
THREE_CLASSES = "data.classes=[{name: background, value: 0}, {name: circle, value: 1}, {name: square, value: 2}]"


@pytest.mark.parametrize(
    "overrides", [[THREE_CLASSES], ["model.activation=sigmoid", TWO_CLASSES]], ids=["softmax", "sigmoid"]
)
def test_onnx_and_litert_exports_match_the_keras_model(tmp_path, overrides):
    config = load("configs/default.yaml", ["model.filters=[4, 8]", "train.precision=float32", *overrides])
    names = config.data.class_names
    model = build_model(config, names, palette(len(names)), image_size=32)
    rng = np.random.default_rng(0)
    for layer in model.layers:  # moving statistics far from any batch's: a graph in training mode would show
        if "_bn" in layer.name:
            gamma, beta, mean, variance = layer.get_weights()
            layer.set_weights([gamma, beta, rng.normal(0.5, 0.2, mean.shape), rng.uniform(0.5, 2, variance.shape)])
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "config.yaml").write_text("{}\n")
    model.save(run_dir / "model.keras")
    export(config, open_run(run_dir), ["onnx", "litert"])

    images = rng.uniform(0, 255, (2, 40, 48, 3)).astype("float32")  # not the training size: resizing is inside
    served = run_portable(run_dir / "export", images)
    expected = model.predict(images, verbose=0)
    assert expected.shape == (2, 32, 32, len(names))
    for runtime in ("onnx", "litert"):
        np.testing.assert_allclose(served[runtime], expected, atol=1e-4)
