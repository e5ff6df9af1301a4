"""ONNX and LiteRT exports give the trained model's probabilities, each reloaded in its own runtime."""

import importlib.util
import subprocess
import sys

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.config import load
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.model import build_model
from {{ cookiecutter.package_name }}.runtime.errors import UserError
from {{ cookiecutter.package_name }}.runtime.rundir import open_run

# Runs without TensorFlow or Keras: onnxruntime and LiteRT alone, as on a server or a phone.
RELOAD = """
import sys
import numpy as np
import onnxruntime
from ai_edge_litert.interpreter import Interpreter

folder, images = sys.argv[1], np.load(sys.argv[2])
session = onnxruntime.InferenceSession(f"{folder}/model.onnx")
np.save(f"{folder}/onnx.npy", session.run(None, {session.get_inputs()[0].name: images})[0])
interpreter = Interpreter(f"{folder}/model.tflite")
source = interpreter.get_input_details()[0]
interpreter.resize_tensor_input(source["index"], images.shape)
interpreter.allocate_tensors()
interpreter.set_tensor(source["index"], images)
interpreter.invoke()
np.save(f"{folder}/litert.npy", interpreter.get_tensor(interpreter.get_output_details()[0]["index"]))
"""


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
    np.save(tmp_path / "images.npy", images)
    result = subprocess.run([sys.executable, "-c", RELOAD, str(run_dir / "export"), str(tmp_path / "images.npy")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    expected = model.predict(images, verbose=0)
    for runtime in ("onnx", "litert"):
        np.testing.assert_allclose(np.load(run_dir / "export" / f"{runtime}.npy"), expected, atol=1e-5)


def test_a_missing_converter_says_what_to_install(tmp_path, monkeypatch):
    present = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == "tf2onnx" else present(name))
    (tmp_path / "config.yaml").write_text("{}\n")
    with pytest.raises(UserError, match=r'--format needs tf2onnx: pip install -e "\.\[export\]"'):
        export(open_run(tmp_path), ["keras", "onnx"])
