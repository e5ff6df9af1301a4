"""ONNX and LiteRT exports give the trained model's probabilities, each reloaded in its own runtime."""

import importlib.util

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.config import load
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.model import build_model
from {{ cookiecutter.package_name }}.runtime.errors import UserError
from {{ cookiecutter.package_name }}.runtime.exports import run_portable
from {{ cookiecutter.package_name }}.runtime.rundir import open_run


def test_onnx_and_litert_exports_match_the_keras_model(tmp_path):
    config = load("configs/default.yaml", ["model.blocks=[{filters: 4}, {filters: 8}]", "train.precision=float32"])
    model = build_model(config, ["a", "b", "c"], image_size=32)
    rng = np.random.default_rng(0)
    for layer in model.layers:  # moving statistics far from any batch's: a graph in training mode would show
        if "bn" in layer.name:
            gamma, beta, mean, variance = layer.get_weights()
            layer.set_weights([gamma, beta, rng.normal(3, 1, mean.shape), rng.uniform(2, 5, variance.shape)])
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "config.yaml").write_text("{}\n")
    model.save(run_dir / "model.keras")
    export(open_run(run_dir), ["onnx", "litert"])

    images = rng.uniform(0, 255, (3, 40, 48, 3)).astype("float32")  # not the training size: resizing is inside
    served = run_portable(run_dir / "export", images)
    expected = model.predict(images, verbose=0)
    for runtime in ("onnx", "litert"):
        np.testing.assert_allclose(served[runtime], expected, atol=1e-5)


def test_a_missing_converter_says_what_to_install(tmp_path, monkeypatch):
    present = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == "tf2onnx" else present(name))
    (tmp_path / "config.yaml").write_text("{}\n")
    with pytest.raises(UserError, match=r'--format needs tf2onnx: pip install -e "\.\[export\]"'):
        export(open_run(tmp_path), ["keras", "onnx"])
