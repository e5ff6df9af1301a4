"""Writing a trained model in the formats `export` offers, each file atomically.

A template supplies the SavedModel (its serving endpoints decode files and map classes) and the labels
file; the rest is the same for every task:

- `keras`: the `.keras` model itself;
- `tf_saved_model`: the template's `keras.export.ExportArchive`, written to a staging folder and renamed;
- `onnx` and `litert`: the model traced with `training=False`, for onnxruntime and LiteRT.

    check_formats(formats)
    write_exports(model, run.file("export"), formats, lambda: my_archive(model), {"class_names": names})

A model exported as several networks writes each with `write_portable(network, folder, formats, stem)`.
"""

import importlib.util
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from .errors import UserError
from .files import atomic_path, write_json

FORMATS = ("keras", "tf_saved_model", "onnx", "litert")
CONVERTERS = {"onnx": "tf2onnx", "litert": "ai_edge_litert"}  # optional: pip install -e ".[export]"
PORTABLE_SUFFIXES = {"onnx": ".onnx", "litert": ".tflite"}


def check_formats(formats):
    """A `UserError` for an unknown format or a missing converter, before any model is loaded."""
    unknown = [name for name in formats if name not in FORMATS]
    if unknown:
        raise UserError(f"--format {','.join(unknown)} not supported: choose from {','.join(FORMATS)}")
    missing = [
        CONVERTERS[name] for name in formats if name in CONVERTERS and not importlib.util.find_spec(CONVERTERS[name])
    ]
    if missing:
        raise UserError(f'--format needs {", ".join(missing)}: pip install -e ".[export]"')


def inference_model(model, example=None):
    """The model called with `training=False`, so exporters trace BatchNorm with its moving statistics.

    Exported as it is, the ONNX graph normalised each batch by its own statistics: outputs off by 0.86.
    `example` is one batch of the model's input, or `{name: batch}` for a model that reads a dictionary (a
    language model's `token_ids` and `padding_mask`: separate named inputs of the export, in that order); None:
    images of any size, for a model that resizes them itself (a layer named `resize`).
    """
    import keras  # here, not at the top: the command line reads FORMATS before TensorFlow may load

    if example is None:
        inputs = keras.Input((None, None, 3), name="images")
        size = model.get_layer("resize").height
        example = np.zeros((1, size, size, 3), dtype=np.float32)
        outputs = model(inputs, training=False)
    elif isinstance(example, dict):
        inputs = [
            keras.Input((None,) * (batch.ndim - 1), dtype=str(batch.dtype), name=name)
            for name, batch in example.items()
        ]
        outputs = model(dict(zip(example, inputs, strict=True)), training=False)
        example = list(example.values())
    else:
        inputs = keras.Input(example.shape[1:], dtype=str(example.dtype), name=model.inputs[0].name)
        outputs = model(inputs, training=False)
    wrapper = keras.Model(inputs, outputs, name="inference")
    wrapper.predict(example, verbose=0)  # exporters need a model that ran
    return wrapper


def write_exports(model, folder, formats, saved_model_archive, labels, example=None):
    """Writes `formats` of `model` into `folder`, and `labels` as `labels.json`; returns the paths written.

    `saved_model_archive()` builds the template's `ExportArchive`, called only when it is asked for;
    `example` is one batch of input for ONNX and LiteRT (see `inference_model`).
    """
    folder.mkdir(exist_ok=True)
    written = []
    if "keras" in formats:
        with atomic_path(folder / "model.keras") as temporary:
            model.save(temporary)
        written.append(folder / "model.keras")
    if "tf_saved_model" in formats:
        saved, staging = folder / "saved_model", folder / ".saved_model.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        saved_model_archive().write_out(str(staging), verbose=False)
        shutil.rmtree(saved, ignore_errors=True)
        staging.rename(saved)
        written.append(saved)
    for path in written:
        print(f"wrote {path}")
    if any(name in PORTABLE_SUFFIXES for name in formats):
        written += write_portable(inference_model(model, example), folder, formats)
    write_json(folder / "labels.json", labels)
    return written


def write_portable(network, folder, formats, stem="model"):
    """Writes `network` (traced with `training=False`, as `inference_model` makes it) as `stem.onnx` and
    `stem.tflite` into `folder`, those of the two that `formats` names; returns the paths written."""
    written = []
    for name, suffix in PORTABLE_SUFFIXES.items():
        if name in formats:
            with atomic_path(folder / f"{stem}{suffix}") as temporary:
                network.export(str(temporary), format=name, verbose=False)
            written.append(folder / f"{stem}{suffix}")
            print(f"wrote {written[-1]}")
    return written


# Runs without TensorFlow or Keras: onnxruntime and LiteRT alone, as on a server or a phone.
_PORTABLE_RUN = """
import sys
import numpy as np
import onnxruntime
from ai_edge_litert.interpreter import Interpreter

folder, images, output = sys.argv[1], np.load(sys.argv[2]), sys.argv[3]
session = onnxruntime.InferenceSession(f"{folder}/model.onnx")
onnx = session.run(None, {session.get_inputs()[0].name: images})[0]
interpreter = Interpreter(f"{folder}/model.tflite")
source = interpreter.get_input_details()[0]
interpreter.resize_tensor_input(source["index"], images.shape)
interpreter.allocate_tensors()
interpreter.set_tensor(source["index"], images)
interpreter.invoke()
np.savez(output, onnx=onnx, litert=interpreter.get_tensor(interpreter.get_output_details()[0]["index"]))
"""


def run_portable(folder, images):
    """`{"onnx": outputs, "litert": outputs}` of `folder`'s model.onnx and model.tflite for `images` (or any
    input: floats as float32, integers such as uint8 pixels as they are), computed in a fresh Python process that
    imports neither TensorFlow nor Keras: how a server or phone sees them."""
    images = np.asarray(images)
    with tempfile.TemporaryDirectory() as scratch:
        np.save(Path(scratch) / "images.npy", images.astype(np.float32) if images.dtype.kind == "f" else images)
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                _PORTABLE_RUN,
                str(folder),
                str(Path(scratch) / "images.npy"),
                str(Path(scratch) / "outputs.npz"),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            raise RuntimeError(f"the exported models failed in onnxruntime or LiteRT:\n{result.stderr[-3000:]}")
        with np.load(Path(scratch) / "outputs.npz") as outputs:
            return {name: outputs[name] for name in ("onnx", "litert")}
