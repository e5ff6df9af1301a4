"""Models for serving: encoded pictures in, boxes in each picture's own pixels out, after per-class NMS.

- `keras`: `model.keras`, the network alone (box offsets and class logits per anchor; class names in its `labels`
  layer), loadable with `keras.saving.load_model`.
- `tf_saved_model`: a SavedModel (`keras.export.ExportArchive`) whose `serve(image_bytes)` takes a batch (any size)
  of encoded JPEG/PNG/BMP/GIF files and returns, per picture, `boxes` (max, 4: x_min, y_min, x_max, y_max in its
  own pixels), `scores`, `classes` (indices), `class_names`, `count` (the rows that are detections, scored at
  least `detect.draw_threshold`; the rest is padding) and `best_score` (the highest class probability of any
  anchor); with a mask head also `masks` (max, M, M), each box's mask probabilities on a grid over the box.
  Letterboxing, box decoding and NMS are inside: nothing else is needed to serve it.
- `onnx` (`model.onnx`) and `litert` (`model.tflite`): the network alone, float pixels 0-255 letterboxed to
  `image_size` in, one output (batch, anchors, 4 + classes) out: per anchor its 4 box offsets, then the class
  logits. `anchors.npy` and `labels.json` beside them hold the anchors and what decoding needs; `inference.py` is
  the reference: boxes = `targets.decode(anchors, offsets)`, scores = sigmoid(logits), then per-class NMS, then
  division by the letterbox scale. RetinaNet only: Faster R-CNN's proposals need TensorFlow's NMS inside the
  network, which these converters do not take.
"""

import dataclasses

import keras
import numpy as np
import tensorflow as tf

from .data import model_anchors
from .inference import Detector, letterbox
from .model import load_trained
from .runtime import exports
from .runtime.errors import UserError


def saved_model_archive(model, config):
    size = config.data.image_size
    detect = dataclasses.replace(config.detect, score_threshold=config.detect.draw_threshold)
    detector = Detector(model, model_anchors(config), detect)
    class_names = tf.constant(config.data.classes)

    def detect_files(image_bytes):
        def one(data):
            image = tf.io.decode_image(data, channels=3, expand_animations=False)
            pixels, scale = letterbox(image, size)
            return pixels, scale, tf.cast(tf.shape(image)[:2], tf.float32) * scale

        pixels, scales, extents = tf.map_fn(
            one,
            image_bytes,
            fn_output_signature=(
                tf.TensorSpec([size, size, 3], tf.float32),
                tf.float32,
                tf.TensorSpec([2], tf.float32),
            ),
        )
        found = detector(pixels, extents=extents)
        return {
            **found,
            "boxes": found["boxes"] / scales[:, None, None],
            "class_names": tf.gather(class_names, found["classes"]),
        }

    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint("serve", detect_files, input_signature=[tf.TensorSpec([None], tf.string, name="image_bytes")])
    return archive


def portable_network(model):
    """The network with one output, (batch, anchors, 4 + classes): converters and runtimes handle one tensor alike."""
    pixels = keras.Input(model.inputs[0].shape[1:], name="image")
    outputs = model(pixels, training=False)
    joined = keras.layers.Concatenate(name="offsets_and_logits")([outputs["boxes"], outputs["classes"]])
    return keras.Model(pixels, joined, name="portable_detector")


def export(config, run, formats):
    """Writes `formats` of the run's model into `RUN/export`; `config` is the run's (image size, anchors, classes)."""
    exports.check_formats(formats)
    portable = [name for name in formats if name in exports.PORTABLE_FILES]
    if portable and config.model.architecture == "faster_rcnn":
        raise UserError(
            f"--format {','.join(portable)}: the faster_rcnn model proposes regions with TensorFlow's NMS, which "
            f"ONNX and LiteRT converters do not take; export keras or tf_saved_model"
        )
    model = load_trained(run)
    size = config.data.image_size
    folder = run.file("export")
    folder.mkdir(exist_ok=True)
    np.save(folder / "anchors.npy", model_anchors(config))
    labels = {
        "class_names": config.data.classes,
        "image_size": size,
        "anchors": "anchors.npy: (anchors, 4) x_min, y_min, x_max, y_max at image_size, in the outputs' order",
        "box_variance": [0.1, 0.1, 0.2, 0.2],
        "detect": dataclasses.asdict(config.detect),
    }
    written = exports.write_exports(
        model,
        folder,
        [name for name in formats if name not in portable],
        lambda: saved_model_archive(model, config),
        labels,
    )
    if portable:
        example = np.zeros((1, size, size, 3), np.float32)
        written += exports.write_exports(portable_network(model), folder, portable, None, labels, example=example)
    return written
