"""The trained Q-network for serving: observations in, Q-values and the greedy action out.

- `tf_saved_model`: a SavedModel (`keras.export.ExportArchive`) whose `serve(observations)` takes a batch
  of raw observations, as the environment gives them (CartPole: float32 (batch, 4); Atari: uint8 stacked
  frames), and returns `q_values` (batch, actions), `action` (the argmax) and `value` (the max).
- `keras`: `model.keras` (observations in, Q-values out).
- `onnx`, `litert` (`pip install -e ".[export]"`): `model.onnx` and `model.tflite`, observations in, Q-values
  out, for onnxruntime on a server or LiteRT on a phone or a board; the argmax is the caller's.

`labels.json` beside them names the environment, the observation shape and dtype, and the actions.
"""

import keras
import numpy as np
import tensorflow as tf

from . import data
from .model import load_run_network
from .runtime import exports


def saved_model_archive(network, spec):
    def serve(observations):
        q_values = network(observations, training=False)
        return {
            "q_values": q_values,
            "action": keras.ops.argmax(q_values, axis=1),
            "value": keras.ops.max(q_values, axis=1),
        }

    archive = keras.export.ExportArchive()
    archive.track(network)
    archive.add_endpoint(
        "serve",
        serve,
        input_signature=[tf.TensorSpec((None, *spec.observation_shape), spec.observation_dtype, name="observations")],
    )
    return archive


def export(config, run, formats):
    exports.check_formats(formats)
    spec = data.env_spec(config.env)
    network = load_run_network(run)
    labels = {
        "env_id": config.env.id,
        "observation_shape": list(spec.observation_shape),
        "observation_dtype": str(spec.observation_dtype),
        "actions": spec.action_count,
    }
    example = np.zeros((1, *spec.observation_shape), spec.observation_dtype)
    return exports.write_exports(
        network, run.file("export"), formats, lambda: saved_model_archive(network, spec), labels, example
    )
