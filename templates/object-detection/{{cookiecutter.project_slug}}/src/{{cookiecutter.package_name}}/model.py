"""The detectors: a backbone and a feature pyramid, then RetinaNet's heads, or Faster R-CNN's two stages.

`model.architecture: retinanet` is RetinaNet's design (Lin et al., 2017), at a width a CPU trains:

    image (image_size square, 0-255, letterboxed by the data pipeline) -> preprocessing -> backbone
        C3 (1/8) ----- 1x1 -> + -> 3x3 -> P3 --+
        C4 (1/16) ---- 1x1 -> + -> 3x3 -> P4 --+--> class head: head_depth x (3x3 conv, ReLU) -> 3x3 conv, K x classes
        C5 (1/32) ---- 1x1 ------> 3x3 -> P5 --+--> box head:   head_depth x (3x3 conv, ReLU) -> 3x3 conv, K x 4
        (each level upsampled 2x and added into the one below; levels beyond the backbone: stride-2 3x3 convs)

Each level's outputs are laid out as (H x W x K, ...): locations row by row, the K anchors of a location together,
the order `anchors.anchor_boxes` lists its anchors in. The model outputs `{"boxes": (batch, anchors, 4) deltas,
"classes": (batch, anchors, classes) logits}`; `inference.py` decodes them.

`faster_rcnn` puts a region proposal network (the same head layers, one objectness score and 4 offsets per anchor)
on the same pyramid, and a box head on ROI Align's grids of its proposals: `two_stage.py`.

The parts are Keras layers in one functional model (two for Faster R-CNN), not keras-hub's
`RetinaNetObjectDetector`: that one fixes its heads at 256 channels and 4 convolutions, puts the focal loss' prior
bias on the box head, and its `.keras` file reloads only with a registered backbone class. The model here saves and
reloads as a plain `.keras` model. (keras-hub has no two-stage detector.)
"""

import dataclasses
import math

import keras
from keras import layers, ops

from .data import anchor_spec
from .roi_align import RoIAlign
from .runtime import backbones
from .runtime.backbones import LabelMap
from .two_stage import FasterRCNN

NOT_BACKBONE_PREFIXES = (
    "image",
    "preprocess",
    "pyramid_",
    "class_",
    "box_",
    "classes",
    "boxes",
    "labels",
    "rpn_",
    "level",
    "mask_",
)


def small_backbone(x, filters, batchnorm_momentum):
    """A CNN from scratch: per stride 2..32 a stride-2 3x3 conv and a 3x3 conv, each with BatchNorm and ReLU.
    Returns `{level: feature map}`, level L at 1/2**L.

    Each stride-2 conv is padded one pixel above and left only, so that cell i of level L is centred on input pixel
    i * 2**L, where the anchors of cell i are centred. With "same" padding (one pixel below and right) it would
    sit 2**L - 1 pixels further on, a large share of the anchors it classifies at the coarse levels."""
    features = {}
    for level, width in enumerate(filters, start=1):
        prefix = f"stage{level}"
        x = layers.ZeroPadding2D(((1, 0), (1, 0)), name=f"{prefix}_pad")(x)
        x = layers.Conv2D(width, 3, strides=2, use_bias=False, name=f"{prefix}_1_conv")(x)
        x = layers.BatchNormalization(momentum=batchnorm_momentum, name=f"{prefix}_1_bn")(x)
        x = layers.ReLU(name=f"{prefix}_1_relu")(x)
        x = layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"{prefix}_2_conv")(x)
        x = layers.BatchNormalization(momentum=batchnorm_momentum, name=f"{prefix}_2_bn")(x)
        x = layers.ReLU(name=f"{prefix}_2_relu")(x)
        features[level] = x
    return features


def backbone_features(model_config, pixels, batchnorm_momentum):
    """`{level: feature map}` for levels 1..5 of the configured backbone, on 0-255 `pixels`."""
    if model_config.backbone == "small":
        x = layers.Rescaling(1.0 / 255, name="preprocess")(pixels)
        return small_backbone(x, model_config.filters, batchnorm_momentum)
    x = backbones.preprocess(model_config.backbone, pixels)
    weights = model_config.weights if model_config.weights.endswith((".h5", "imagenet")) else None
    return backbones.feature_pyramid(
        model_config.backbone, backbones.build_application(model_config.backbone, x, weights)
    )


def feature_pyramid(features, min_level, max_level, width):
    """FPN (Lin et al., 2017): `{level: width-channel map}` for min_level..max_level. Levels the backbone has are
    merged top-down; levels above 5 come from stride-2 convolutions of the level below."""
    top = min(max_level, 5)
    merged = {}
    for level in range(top, min_level - 1, -1):
        lateral = layers.Conv2D(width, 1, name=f"pyramid_lateral{level}")(features[level])
        if level < top:
            above = layers.UpSampling2D(2, name=f"pyramid_up{level}")(merged[level + 1])
            lateral = layers.Add(name=f"pyramid_add{level}")([lateral, above])
        merged[level] = lateral
    pyramid = {
        level: layers.Conv2D(width, 3, padding="same", name=f"pyramid_out{level}")(merged[level])
        for level in range(min_level, top + 1)
    }
    for level in range(top + 1, max_level + 1):
        below = pyramid[level - 1] if level == 6 else layers.ReLU(name=f"pyramid_relu{level}")(pyramid[level - 1])
        pyramid[level] = layers.Conv2D(width, 3, strides=2, padding="same", name=f"pyramid_out{level}")(below)
    return pyramid


def head_layers(prefix, width, depth, outputs, bias, norm):
    """The layers of one head, built once and applied to every level (shared weights, as in RetinaNet): `depth` 3x3
    convolutions, each with GroupNorm when `norm` is "group" (as FCOS and later RetinaNets train their heads from
    scratch: BatchNorm would mix the statistics of levels of very different sizes), then the output convolution."""
    small = keras.initializers.RandomNormal(stddev=0.01)
    hidden = []
    for index in range(1, depth + 1):
        name = f"{prefix}_conv{index}"
        if norm == "group":
            hidden += [
                layers.Conv2D(width, 3, padding="same", use_bias=False, kernel_initializer=small, name=name),
                layers.GroupNormalization(math.gcd(width, 8), name=f"{prefix}_norm{index}"),
                layers.ReLU(name=f"{prefix}_relu{index}"),
            ]
        else:
            hidden.append(
                layers.Conv2D(width, 3, padding="same", activation="relu", kernel_initializer=small, name=name)
            )
    final = layers.Conv2D(
        outputs,
        3,
        padding="same",
        kernel_initializer=small,
        bias_initializer=keras.initializers.Constant(bias),
        name=f"{prefix}_output",
    )
    return [*hidden, final]


def apply_head(head, pyramid, values, name):
    """Each level through `head`, reshaped to (locations x K, values), the levels concatenated along the anchors."""
    outputs = []
    for level, x in pyramid.items():
        for layer in head:
            x = layer(x)
        outputs.append(layers.Reshape((-1, values), name=f"{name}_level{level}")(x))
    return layers.Concatenate(axis=1, name=f"{name}_all", dtype="float32")(outputs)


def build_model(config, class_names, image_size, batchnorm_momentum=0.99):
    """The detector `config.model.architecture` names, for the resolved `config.anchors` (levels, anchors per
    location)."""
    build = build_faster_rcnn if config.model.architecture == "faster_rcnn" else build_retinanet
    model = build(config, class_names, image_size, batchnorm_momentum)
    if config.model.weights.endswith(".keras"):
        backbones.copy_weights_by_name(backbone_layers(model), config.model.weights)
    return model


def prior_bias(model_config):
    """The focal loss paper's prior: every anchor starts at probability p for every class, so the background's
    many anchors do not swamp the first updates."""
    return -math.log((1 - model_config.prior_probability) / model_config.prior_probability)


def pyramid_of(config, image_size, batchnorm_momentum):
    """`(pictures input, {level: feature map})`: the backbone and the feature pyramid over it."""
    inputs = keras.Input((image_size, image_size, 3), name="image")
    features = backbone_features(config.model, inputs, batchnorm_momentum)
    anchors = config.anchors
    return inputs, feature_pyramid(features, anchors.min_level, anchors.max_level, config.model.pyramid_width)


def build_retinanet(config, class_names, image_size, batchnorm_momentum):
    """One stage: class and box heads on every anchor of every pyramid level; the box head starts at zero offsets."""
    model_config, anchors = config.model, config.anchors
    per_location = anchors.num_scales * len(anchors.aspect_ratios)
    inputs, pyramid = pyramid_of(config, image_size, batchnorm_momentum)
    classes = len(class_names)
    head = (model_config.head_width, model_config.head_depth)
    class_head = head_layers("class", *head, per_location * classes, prior_bias(model_config), model_config.head_norm)
    box_head = head_layers("box", *head, per_location * 4, 0.0, model_config.head_norm)
    class_logits = apply_head(class_head, pyramid, classes, "classes")
    box_deltas = apply_head(box_head, pyramid, 4, "boxes")
    outputs = {"boxes": box_deltas, "classes": LabelMap(class_names, name="labels", dtype="float32")(class_logits)}
    return keras.Model(inputs, outputs, name=f"{model_config.backbone}_detector")


def build_faster_rcnn(config, class_names, image_size, batchnorm_momentum):
    """Two stages (`two_stage.py`): the RPN's heads on the pyramid, and the box head on ROI Align's grids."""
    model_config, anchors = config.model, config.anchors
    per_location = anchors.num_scales * len(anchors.aspect_ratios)
    inputs, pyramid = pyramid_of(config, image_size, batchnorm_momentum)
    head = (model_config.head_width, model_config.head_depth, model_config.head_norm)
    objectness = head_layers("rpn_class", head[0], head[1], per_location, prior_bias(model_config), head[2])
    offsets = head_layers("rpn_box", head[0], head[1], per_location * 4, 0.0, head[2])
    outputs = {
        "rpn_scores": apply_head(objectness, pyramid, 1, "rpn_scores"),
        "rpn_boxes": apply_head(offsets, pyramid, 4, "rpn_boxes"),
        **{f"level{level}": features for level, features in pyramid.items()},
    }
    proposer = keras.Model(inputs, outputs, name=f"{model_config.backbone}_proposer")
    spec = anchor_spec(anchors)
    roi_head = build_roi_head(config, class_names, pyramid, spec)
    mask_head = build_mask_head(config, class_names, pyramid, spec) if model_config.masks else None
    settings = {
        "rpn": {key: getattr(config.rpn, key) for key in ("pre_nms", "train_proposals", "proposals", "nms_iou")},
        "roi": {
            key: getattr(config.roi, key) for key in ("per_image", "positive_fraction", "positive_iou", "mask_size")
        },
        "loss": {key: getattr(config.loss, key) for key in ("focal_alpha", "focal_gamma", "huber_delta", "box_weight")},
    }
    return FasterRCNN(
        proposer, roi_head, dataclasses.asdict(spec), image_size, settings, mask_head=mask_head, name="faster_rcnn"
    )


def roi_inputs(pyramid):
    """The inputs of a second-stage head: one per pyramid level, shaped as its maps, and boxes (B, R, 4), float32
    under mixed precision too (bfloat16 would move a box at pixel 200 by up to a pixel)."""
    maps = [keras.Input(features.shape[1:], name=f"level{level}") for level, features in pyramid.items()]
    return maps, keras.Input((None, 4), dtype="float32", name="boxes")


def build_roi_head(config, class_names, pyramid, spec):
    """`[level maps..., boxes (B, R, 4)]` -> `{"classes": (B, R, classes + 1) logits, background first, "boxes":
    (B, R, classes, 4) offsets per class}`: ROI Align, two fully connected layers, then the two outputs (small
    initial weights, the boxes' smaller still, as Faster R-CNN's: the head starts at its proposals)."""
    roi, classes = config.roi, len(class_names)
    maps, boxes = roi_inputs(pyramid)
    grids = RoIAlign(
        list(pyramid), roi.pool_size, roi.sampling_ratio, spec.anchor_size, name="roi_align", dtype="float32"
    )(maps, boxes)
    x = layers.Reshape((-1, roi.pool_size * roi.pool_size * grids.shape[-1]), name="roi_flatten")(grids)
    for index in (1, 2):
        x = layers.Dense(roi.fc_width, activation="relu", name=f"roi_fc{index}")(x)
    class_logits = layers.Dense(
        classes + 1, kernel_initializer=keras.initializers.RandomNormal(stddev=0.01), name="roi_classes"
    )(x)
    offsets = layers.Dense(
        classes * 4, kernel_initializer=keras.initializers.RandomNormal(stddev=0.001), name="roi_boxes"
    )(x)
    outputs = {
        "classes": LabelMap(class_names, name="labels", dtype="float32")(class_logits),
        "boxes": layers.Reshape((-1, classes, 4), name="roi_box_offsets", dtype="float32")(offsets),
    }
    return keras.Model([*maps, boxes], outputs, name="roi_head")


@keras.saving.register_keras_serializable(package=backbones.SERIALIZATION_PACKAGE)
class EachBox(layers.TimeDistributed):
    """`layer` on each box's grid of (B, R, ...) in one call, the boxes folded into the batch: `TimeDistributed`
    maps over R with a loop that the ONNX and LiteRT converters do not take."""

    def call(self, inputs):
        shape = ops.shape(inputs)
        outputs = self.layer.call(ops.reshape(inputs, (-1, *shape[2:])))  # its convolution, as TimeDistributed calls it
        return ops.reshape(outputs, (shape[0], shape[1], *ops.shape(outputs)[1:]))


def build_mask_head(config, class_names, pyramid, spec):
    """`[level maps..., boxes (B, R, 4)]` -> (B, R, mask_size, mask_size, classes) mask logits per class (Mask
    R-CNN's head, narrower): ROI Align at half the mask's size, `roi.mask_convs` 3x3 convolutions, a 2x transposed
    convolution, then a 1x1 convolution to one mask per class; each box's pixels are convolved on their own."""
    roi = config.roi
    maps, boxes = roi_inputs(pyramid)
    x = RoIAlign(
        list(pyramid), roi.mask_size // 2, roi.sampling_ratio, spec.anchor_size, name="mask_align", dtype="float32"
    )(maps, boxes)
    for index in range(1, roi.mask_convs + 1):
        conv = layers.Conv2D(roi.mask_width, 3, padding="same", activation="relu", name=f"mask_conv{index}")
        x = EachBox(conv, name=f"mask_conv{index}_each")(x)
    upsample = layers.Conv2DTranspose(roi.mask_width, 2, strides=2, activation="relu", name="mask_upsample")
    x = EachBox(upsample, name="mask_upsample_each")(x)
    logits = layers.Conv2D(len(class_names), 1, name="mask_logits", dtype="float32")
    masks = EachBox(logits, name="masks", dtype="float32")(x)
    return keras.Model([*maps, boxes], masks, name="mask_head")


def backbone_layers(model):
    """The backbone's layers in order: everything between the input and the feature pyramid."""
    network = getattr(model, "proposer", model)  # Faster R-CNN: its first stage holds the backbone
    return [layer for layer in network.layers if not layer.name.startswith(NOT_BACKBONE_PREFIXES)]


def set_trainable(model, phase, unfreeze_top=0):
    """Freezes the backbone for phase `head`, unfreezes its top `unfreeze_top` layers for `finetune`."""
    backbones.set_trainable(getattr(model, "proposer", model), backbone_layers(model), phase, unfreeze_top)


def load_trained(run):
    """The run's trained `model.keras`, uncompiled; this module's imports register the layers it holds."""
    return keras.saving.load_model(run.file("model.keras"), compile=False)


def class_names_of(model):
    return getattr(model, "roi_head", model).get_layer("labels").class_names


def example_model(config, num_classes):
    """The model `config` builds for `num_classes` classes, for the `summary` verb (auto anchors: RetinaNet's)."""
    size = config.data.image_size if config.data.image_size != "auto" else 256
    anchors = config.anchors
    resolved = dataclasses.replace(
        anchors,
        min_level=3 if anchors.min_level == "auto" else anchors.min_level,
        max_level=5 if anchors.max_level == "auto" else anchors.max_level,
        size=4.0 if anchors.size == "auto" else anchors.size,
        aspect_ratios=[0.5, 1.0, 2.0] if anchors.aspect_ratios == "auto" else anchors.aspect_ratios,
    )
    return build_model(
        dataclasses.replace(config, anchors=resolved), [f"class_{index}" for index in range(num_classes)], size
    )
