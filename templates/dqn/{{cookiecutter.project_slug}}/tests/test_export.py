"""ONNX and LiteRT exports give the network's Q-values, each reloaded in its own runtime without TensorFlow."""

import numpy as np
import pytest
import yaml

from {{ cookiecutter.package_name }}.config import load
from {{ cookiecutter.package_name }}.data import env_spec
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.model import q_network
from {{ cookiecutter.package_name }}.runtime.exports import run_portable
from {{ cookiecutter.package_name }}.runtime.rundir import open_run

ENVIRONMENTS = {
    "CartPole-v1": {"hidden_units": [16]},  # float32 observations into the MLP
{%- if cookiecutter.engine == "keras" %}
    "ALE/Pong-v5": {"dueling": True},  # uint8 stacked frames into the Nature CNN
{%- else %}
    "ALE/Pong-v5": {},  # uint8 stacked frames into the Nature CNN
{%- endif %}
}


@pytest.mark.parametrize("env_id", ENVIRONMENTS)
def test_onnx_and_litert_exports_match_the_keras_network(env_id, tmp_path):
    (tmp_path / "config.yaml").write_text(yaml.safe_dump({"env": {"id": env_id}, "network": ENVIRONMENTS[env_id]}))
    config = load(tmp_path / "config.yaml")
    spec = env_spec(config.env)
    network = q_network(config, spec)
    network.save(tmp_path / "model.keras")
    export(config, open_run(tmp_path), ["onnx", "litert"])

    rng = np.random.default_rng(0)
    if spec.observation_dtype == np.uint8:
        observations = rng.integers(0, 256, (3, *spec.observation_shape), dtype=np.uint8)
    else:
        observations = rng.normal(size=(3, *spec.observation_shape)).astype(np.float32)
    served = run_portable(tmp_path / "export", observations)
    expected = network.predict(observations, verbose=0)
    assert expected.shape == (3, spec.action_count)
    for runtime in ("onnx", "litert"):
        np.testing.assert_allclose(served[runtime], expected, atol=1e-4, err_msg=runtime)
