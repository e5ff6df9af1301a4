"""Models for serving, preprocessing and palette inside: a raw image file in, its mask at its own size out.

- `keras`: `model.keras`, loadable with `keras.saving.load_model` (class names and colours in its `labels` layer).
- `tf_saved_model`: a SavedModel (`keras.export.ExportArchive`) with two endpoints:
  `serve(image_bytes)` takes one encoded JPEG/PNG/BMP/GIF file and returns `mask` (H, W) uint8 in the
  values the mask PNGs of `predict` hold, `class_indices` (H, W), `probabilities` (H, W, classes),
  `class_names`, `colours` (one per class) and `palette` (256 x 3, the colour of each mask value, for
  `PIL.Image.putpalette`); `serve_pixels(images)` takes a batch of float pixels 0-255
  of one size and returns `class_indices` and `probabilities` at that size.
- `onnx` (`model.onnx`) and `litert` (`model.tflite`): float pixels 0-255 of any size in, class
  probabilities at the training size out; `labels.json` beside them holds names, values and colours.
"""

import keras
import tensorflow as tf

from .datasets import pipeline
from .inference import at_input_size, mask_values, png_palette
from .model import class_names_of, colours_of
from .runtime import exports


def saved_model_archive(model, values):
    size = model.get_layer("resize").height
    class_names = tf.constant(class_names_of(model))
    colours = tf.constant(colours_of(model), tf.uint8)
    palette = tf.constant(png_palette(values, colours_of(model)), tf.uint8)
    values = tf.constant(values, tf.uint8)

    def at_size(pixels, height, width):
        return at_input_size(model(pixels, training=False), height, width)

    def segment_file(image_bytes):
        image = tf.io.decode_image(image_bytes, channels=3, expand_animations=False)
        pixels = pipeline.resize_pixels(image, (size, size))  # the very resizing training used
        probabilities, indices = at_size(pixels[None], tf.shape(image)[0], tf.shape(image)[1])
        return {
            "mask": tf.gather(values, indices[0]),
            "class_indices": indices[0],
            "probabilities": probabilities[0],
            "class_names": class_names,
            "colours": colours,
            "palette": palette,
        }

    def segment_pixels(images):
        probabilities, indices = at_size(images, tf.shape(images)[1], tf.shape(images)[2])
        return {"class_indices": indices, "probabilities": probabilities}

    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint("serve", segment_file, input_signature=[tf.TensorSpec([], tf.string, name="image_bytes")])
    archive.add_endpoint(
        "serve_pixels",
        segment_pixels,
        input_signature=[tf.TensorSpec([None, None, None, 3], tf.float32, name="images")],
    )
    return archive


def export(config, run, formats):
    """Writes `formats` of the run's model into `RUN/export`; `config` is the run's, whose `data.classes` give the
    mask values."""
    exports.check_formats(formats)
    model = keras.saving.load_model(run.file("model.keras"), compile=False)
    values = mask_values(config.data)
    return exports.write_exports(
        model,
        run.file("export"),
        formats,
        lambda: saved_model_archive(model, values),
        {"class_names": class_names_of(model), "values": values, "colours": colours_of(model)},
    )
