"""Writing a trained model in the formats `export` offers, each file atomically.

A template supplies the SavedModel (its serving endpoints decode files and map classes) and the labels
file; the rest is the same for every task:

- `keras`: the `.keras` model itself;
- `tf_saved_model`: the template's `keras.export.ExportArchive`, written to a staging folder and renamed;
- `onnx` and `litert`: the model traced with `training=False`, for onnxruntime and LiteRT.

    check_formats(formats)
    write_exports(model, run.file("export"), formats, lambda: my_archive(model), {"class_names": names})
"""

import importlib.util
import shutil

import keras
import numpy as np

from .errors import UserError
from .files import atomic_path, write_json

FORMATS = ("keras", "tf_saved_model", "onnx", "litert")
CONVERTERS = {"onnx": "tf2onnx", "litert": "ai_edge_litert"}  # optional: pip install -e ".[export]"
PORTABLE_FILES = {"onnx": "model.onnx", "litert": "model.tflite"}


def check_formats(formats):
    """A `UserError` for an unknown format or a missing converter, before any model is loaded."""
    unknown = [name for name in formats if name not in FORMATS]
    if unknown:
        raise UserError(f"--format {','.join(unknown)} not supported: choose from {','.join(FORMATS)}")
    missing = [CONVERTERS[name] for name in formats if name in CONVERTERS and not importlib.util.find_spec(
        CONVERTERS[name])]
    if missing:
        raise UserError(f"--format needs {', '.join(missing)}: pip install -e \".[export]\"")


def inference_model(model):
    """The model called with `training=False`, so exporters trace BatchNorm with its moving statistics.

    Exported as it is, the ONNX graph normalised each batch by its own statistics: outputs off by 0.86.
    """
    images = keras.Input((None, None, 3), name="images")
    wrapper = keras.Model(images, model(images, training=False), name="inference")
    size = model.get_layer("resize").height
    wrapper.predict(np.zeros((1, size, size, 3), dtype=np.float32), verbose=0)  # exporters need a model that ran
    return wrapper


def write_exports(model, folder, formats, saved_model_archive, labels):
    """Writes `formats` of `model` into `folder`, and `labels` as `labels.json`; returns the paths written.

    `saved_model_archive()` builds the template's `ExportArchive`, called only when it is asked for.
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
    portable = [name for name in PORTABLE_FILES if name in formats]
    if portable:
        inference = inference_model(model)
        for name in portable:
            with atomic_path(folder / PORTABLE_FILES[name]) as temporary:
                inference.export(str(temporary), format=name, verbose=False)
            written.append(folder / PORTABLE_FILES[name])
    write_json(folder / "labels.json", labels)
    for path in written:
        print(f"wrote {path}")
    return written
