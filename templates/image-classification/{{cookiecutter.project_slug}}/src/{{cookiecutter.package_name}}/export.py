"""Models for serving, preprocessing and label map inside: a raw image file in, a class name out.

- `keras`: `model.keras`, loadable with `keras.saving.load_model` (class names in its `labels` layer).
- `tf_saved_model`: a SavedModel (`keras.export.ExportArchive`) with two endpoints:
  `serve(image_bytes)` takes encoded JPEG/PNG/BMP/GIF files and returns `class_name`, `probability` and
  `probabilities`; `serve_pixels(images)` takes float pixels 0-255 of any size.
- `onnx` (`model.onnx`, for onnxruntime) and `litert` (`model.tflite`, for LiteRT on phones and boards):
  float pixels 0-255 of any size in, class probabilities out; resizing and normalisation are inside, and
  `labels.json` beside them names the classes. Neither runtime decodes image files.
"""

import importlib.util
import shutil

import keras
import tensorflow as tf

from .datasets import pipeline
from .model import class_names_of
from .runtime.errors import UserError
from .runtime.files import atomic_path, write_json

FORMATS = ("keras", "tf_saved_model", "onnx", "litert")
CONVERTERS = {"onnx": "tf2onnx", "litert": "ai_edge_litert"}  # optional: pip install -e ".[export]"


def saved_model_archive(model):
    class_names = tf.constant(class_names_of(model))
    size = model.get_layer("resize").height

    def classify(pixels):
        probabilities = model(pixels, training=False)
        best = tf.argmax(probabilities, axis=-1)
        return {
            "class_name": tf.gather(class_names, best),
            "probability": tf.reduce_max(probabilities, axis=-1),
            "probabilities": probabilities,
        }

    def decode(data):  # the very decoding training used
        image = pipeline.decode_image_bytes(data, (size, size))
        image.set_shape((size, size, 3))
        return image

    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint(
        "serve",
        lambda image_bytes: classify(tf.map_fn(decode, image_bytes, fn_output_signature=tf.float32)),
        input_signature=[tf.TensorSpec([None], tf.string, name="image_bytes")],
    )
    archive.add_endpoint("serve_pixels", classify,
                         input_signature=[tf.TensorSpec([None, None, None, 3], tf.float32, name="images")])
    return archive


def inference_model(model):
    """The model called with `training=False`, so exporters trace BatchNorm with its moving statistics.

    Exported as it is, the ONNX graph normalised each batch by its own statistics: outputs off by 0.86.
    """
    images = keras.Input((None, None, 3), name="images")
    wrapper = keras.Model(images, model(images, training=False), name="inference")
    size = model.get_layer("resize").height
    wrapper.predict(tf.zeros((1, size, size, 3)), verbose=0)  # exporters need a model that has run once
    return wrapper


def export(run, formats):
    unknown = [name for name in formats if name not in FORMATS]
    if unknown:
        raise UserError(f"--format {','.join(unknown)} not supported: choose from {','.join(FORMATS)}")
    missing = [CONVERTERS[name] for name in formats if name in CONVERTERS and not importlib.util.find_spec(
        CONVERTERS[name])]
    if missing:
        raise UserError(f"--format needs {', '.join(missing)}: pip install -e \".[export]\"")
    model = keras.saving.load_model(run.file("model.keras"))
    folder = run.file("export")
    folder.mkdir(exist_ok=True)
    written = []
    if "keras" in formats:
        with atomic_path(folder / "model.keras") as temporary:
            model.save(temporary)
        written.append(folder / "model.keras")
    if "tf_saved_model" in formats:
        saved = folder / "saved_model"
        staging = folder / ".saved_model.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        saved_model_archive(model).write_out(str(staging), verbose=False)
        shutil.rmtree(saved, ignore_errors=True)
        staging.rename(saved)
        written.append(saved)
    portable = [(name, file_name) for name, file_name in (("onnx", "model.onnx"), ("litert", "model.tflite"))
                if name in formats]
    if portable:
        inference = inference_model(model)
        for name, file_name in portable:
            with atomic_path(folder / file_name) as temporary:
                inference.export(str(temporary), format=name, verbose=False)
            written.append(folder / file_name)
    write_json(folder / "labels.json", {"class_names": class_names_of(model)})
    for path in written:
        print(f"wrote {path}")
    return written
