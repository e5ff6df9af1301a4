"""Models for serving: encoded pictures in, boxes in each picture's own pixels out, after per-class NMS.

- `keras`: `model.keras`, the network alone (RetinaNet: box offsets and class logits per anchor; Faster R-CNN: the
  whole two-stage model; class names in its `labels` layer), loadable with `keras.saving.load_model`.
- `tf_saved_model`: a SavedModel (`keras.export.ExportArchive`) whose `serve(image_bytes)` takes a batch (any size)
  of encoded JPEG/PNG/BMP/GIF files and returns, per picture, `boxes` (max, 4: x_min, y_min, x_max, y_max in its
  own pixels), `scores`, `classes` (indices), `class_names`, `count` (the rows that are detections, scored at
  least `detect.draw_threshold`; the rest is padding) and `best_score` (the highest class probability of any
  anchor); with a mask head also `masks` (max, M, M), each box's mask probabilities on a grid over the box.
  Letterboxing, box decoding and NMS are inside: nothing else is needed to serve it.
- `onnx` (`.onnx` files) and `litert` (`.tflite` files): the networks alone, float pixels 0-255 letterboxed to
  `image_size` in, without the non-maximum suppression, which these converters do not take. `anchors.npy` and
  `labels.json` beside them hold the anchors and what decoding needs.
  RetinaNet: `model.onnx`, one output (batch, anchors, 4 + classes): per anchor its 4 box offsets, then the class
  logits; `inference.py` is the reference: boxes = `targets.decode(anchors, offsets)`, scores = sigmoid(logits),
  then per-class NMS, then division by the letterbox scale.
  Faster R-CNN: `proposer`, `roi_head` (and `mask_head`), chained by the numpy of `portable.py`, which runs them in
  onnxruntime or LiteRT; labels.json's `networks` names each one's inputs and outputs, its `chain` the steps.
"""

import dataclasses

import keras
import numpy as np
import tensorflow as tf

from .data import model_anchors
from .inference import Detector, letterbox
from .model import load_trained
from .portable import CHAIN, MEANINGS
from .proposals import LARGEST_LOG_GROWTH, SMALLEST_SIDE
from .runtime import exports
from .targets import VARIANCE


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


def stage_networks(model):
    """Faster R-CNN's networks for ONNX and LiteRT, with the inputs and outputs `MEANINGS` names: `{name:
    network}`, the proposer's outputs and the heads' inputs the same level maps (`portable.py` chains them)."""
    image = keras.Input(model.proposer.inputs[0].shape[1:], name="image")
    stage1 = model.proposer(image, training=False)
    networks = {"proposer": keras.Model(image, stage1, name="proposer")}
    maps = [keras.Input(stage1[name].shape[1:], name=name) for name in model.levels]
    proposals = keras.Input((None, 4), name="proposals")
    head = model.roi_head([*maps, proposals], training=False)
    networks["roi_head"] = keras.Model(
        [*maps, proposals], {"class_logits": head["classes"], "box_offsets": head["boxes"]}, name="roi_head"
    )
    if model.mask_head is not None:
        boxes = keras.Input((None, 4), name="boxes")
        logits = model.mask_head([*maps, boxes], training=False)
        networks["mask_head"] = keras.Model([*maps, boxes], {"mask_logits": logits}, name="mask_head")
    return networks


def called_once(network):
    """`network` after a call on zeros (one box where it takes boxes): the exporters take only a model that ran."""
    zeros = [np.zeros([1 if side is None else side for side in tensor.shape], np.float32) for tensor in network.inputs]
    network.predict(zeros if len(zeros) > 1 else zeros[0], verbose=0)
    return network


def described(shapes):
    """`{name: "(batch, 2880, 1): what it holds"}` for a network's `{input or output name: shape}` (R: any number
    of boxes)."""
    return {
        name: f"({', '.join(['batch', *('R' if side is None else str(side) for side in shape[1:])])}): "
        f"{MEANINGS['level' if name.startswith('level') else name]}"
        for name, shape in shapes.items()
    }


def two_stage_labels(model, config, networks):
    """labels.json of a Faster R-CNN export: what `portable.TwoStageDetector` reads, and what each file holds."""
    rpn = model.settings["rpn"]
    labels = {
        "class_names": config.data.classes,
        "image_size": config.data.image_size,
        "anchors": "anchors.npy: (anchors, 4) x_min, y_min, x_max, y_max at image_size, in rpn_boxes' order",
        "levels": model.levels,
        "box_decoding": {"variance": list(VARIANCE), "largest_log_growth": LARGEST_LOG_GROWTH},
        "rpn": {**{key: rpn[key] for key in ("pre_nms", "nms_iou", "proposals")}, "smallest_side": SMALLEST_SIDE},
        "detect": dataclasses.asdict(config.detect),
        "networks": {
            name: {
                "inputs": described({tensor.name: tensor.shape for tensor in network.inputs}),
                "outputs": described({key: tensor.shape for key, tensor in network.output.items()}),
            }
            for name, network in networks.items()
        },
        "chain": CHAIN,
    }
    if model.mask_head is not None:
        labels["mask_size"] = model.settings["roi"]["mask_size"]
    return labels


def export(config, run, formats):
    """Writes `formats` of the run's model into `RUN/export`; `config` is the run's (image size, anchors, classes)."""
    exports.check_formats(formats)
    model = load_trained(run)
    folder = run.file("export")
    folder.mkdir(exist_ok=True)
    np.save(folder / "anchors.npy", model_anchors(config))
    if config.model.architecture == "faster_rcnn":
        networks = stage_networks(model)
        labels = two_stage_labels(model, config, networks)
    else:
        networks = {"model": portable_network(model)}
        labels = {
            "class_names": config.data.classes,
            "image_size": config.data.image_size,
            "anchors": "anchors.npy: (anchors, 4) x_min, y_min, x_max, y_max at image_size, in the outputs' order",
            "box_variance": list(VARIANCE),
            "detect": dataclasses.asdict(config.detect),
        }
    portable = [name for name in formats if name in exports.PORTABLE_SUFFIXES]
    written = exports.write_exports(
        model,
        folder,
        [name for name in formats if name not in portable],
        lambda: saved_model_archive(model, config),
        labels,
    )
    for name, network in networks.items() if portable else ():
        written += exports.write_portable(called_once(network), folder, portable, name)
    return written
