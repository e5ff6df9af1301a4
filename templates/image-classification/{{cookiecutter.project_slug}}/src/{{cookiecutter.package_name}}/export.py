"""Models for serving, preprocessing and label map inside: a raw image file in, a class name out.

- `keras`: `model.keras`, loadable with `keras.saving.load_model` (class names in its `labels` layer).
- `tf_saved_model`: a SavedModel (`keras.export.ExportArchive`) with two endpoints:
  `serve(image_bytes)` takes encoded JPEG/PNG/BMP/GIF files and returns `class_name`, `probability` and
  `probabilities`; `serve_pixels(images)` takes float pixels 0-255 of any size.
- `onnx` (`model.onnx`, for onnxruntime) and `litert` (`model.tflite`, for LiteRT on phones and boards):
  float pixels 0-255 of any size in, class probabilities out; resizing and normalisation are inside, and
  `labels.json` beside them names the classes. Neither runtime decodes image files.
"""

import keras
import tensorflow as tf

from .datasets import pipeline
from .model import class_names_of
from .runtime import exports


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
    archive.add_endpoint(
        "serve_pixels", classify, input_signature=[tf.TensorSpec([None, None, None, 3], tf.float32, name="images")]
    )
    return archive


def export(run, formats):
    exports.check_formats(formats)
    model = keras.saving.load_model(run.file("model.keras"))
    return exports.write_exports(
        model, run.file("export"), formats, lambda: saved_model_archive(model), {"class_names": class_names_of(model)}
    )
