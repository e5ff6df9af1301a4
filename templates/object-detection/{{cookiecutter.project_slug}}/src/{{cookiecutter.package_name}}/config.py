"""The typed config of this project: every knob of `configs/default.yaml`, with its checks."""

import dataclasses
from typing import Literal, Union

from .datasets.augment import PairedAugmentation
from .runtime import settings
from .runtime.config import load_config

ARCHITECTURES = ("retinanet", "faster_rcnn")
BACKBONES = ("small", "mobilenet_v3_small", "mobilenet_v3_large", "efficientnet_v2_b0", "resnet50")
FORMATS = ("auto", "coco", "voc", "yolo")


@dataclasses.dataclass
class Data:
    images_dir: str = "data/sample/images"
    annotations: str = "data/sample/annotations.json"  # a COCO .json, or a folder of VOC .xml or YOLO .txt files
    format: Literal[FORMATS] = "auto"
    classes: Union[Literal["auto"], list[str]] = "auto"  # auto: the names the annotations give
    val_images_dir: str = ""  # a validation pair; empty: split `val_fraction` off the training images
    val_annotations: str = ""
    val_fraction: float = 0.2
    test_images_dir: str = ""  # held-out pair for `evaluate`; empty: the validation split
    test_annotations: str = ""
    # model.masks: index-mask PNGs (pixel value k: the k-th object of the image, in annotation order) named like
    # the images; empty: the COCO annotations' segmentations
    masks_dir: str = ""
    val_masks_dir: str = ""
    test_masks_dir: str = ""
    image_size: Union[int, Literal["auto"]] = "auto"  # auto: sized by the objects (`data.image_size`)
    batch_size: int = 8
    cache: bool = True  # keep decoded images in memory after the first epoch

    def validate(self):
        if not 0.0 <= self.val_fraction < 1.0:
            raise ValueError(f"data.val_fraction is {self.val_fraction}, expected a number in [0, 1)")
        for name in ("val", "test"):
            if bool(getattr(self, f"{name}_images_dir")) != bool(getattr(self, f"{name}_annotations")):
                raise ValueError(f"data.{name}_images_dir and data.{name}_annotations go together: set both or neither")
        if self.classes != "auto" and (not self.classes or len(set(self.classes)) != len(self.classes)):
            raise ValueError(f"data.classes {self.classes}: list each class name once, or give auto")
        if self.batch_size < 1:
            raise ValueError(f"data.batch_size is {self.batch_size}, expected 1 or more")
        if self.image_size != "auto" and (self.image_size < 32 or self.image_size % 32):
            raise ValueError(f"data.image_size is {self.image_size}, expected auto or a multiple of 32")


@dataclasses.dataclass
class Anchors:
    """Where the model looks: at pyramid level L (stride 2**L) each location has `num_scales` x aspect ratios anchors,
    of side `size` * 2**L times 2**(i / num_scales). auto: fitted to the training boxes (`anchors.fit_anchors`)."""

    min_level: Union[int, Literal["auto"]] = "auto"
    max_level: Union[int, Literal["auto"]] = "auto"
    size: Union[float, Literal["auto"]] = "auto"
    aspect_ratios: Union[list[float], Literal["auto"]] = "auto"  # height / width
    num_scales: int = 3
    positive_iou: float = 0.5  # an anchor this close to a box learns it
    negative_iou: float = 0.4  # an anchor below this with every box learns background; in between: ignored

    def validate(self):
        levels = [level for level in (self.min_level, self.max_level) if level != "auto"]
        if any(not 1 <= level <= 7 for level in levels):
            raise ValueError(f"anchors levels {levels}: each in 1..7 (stride 2 to 128)")
        if len(levels) == 2 and self.min_level > self.max_level:
            raise ValueError(f"anchors.min_level {self.min_level} is above anchors.max_level {self.max_level}")
        if self.size != "auto" and self.size <= 0:
            raise ValueError(f"anchors.size is {self.size}, expected auto or a positive number")
        if self.aspect_ratios != "auto" and (not self.aspect_ratios or min(self.aspect_ratios) <= 0):
            raise ValueError(f"anchors.aspect_ratios {self.aspect_ratios}: positive heights / widths, or auto")
        if self.num_scales < 1:
            raise ValueError(f"anchors.num_scales is {self.num_scales}, expected 1 or more")
        if not 0.0 < self.negative_iou <= self.positive_iou < 1.0:
            raise ValueError(
                f"anchors.negative_iou {self.negative_iou} and positive_iou {self.positive_iou}: expected "
                f"0 < negative_iou <= positive_iou < 1"
            )

    @property
    def resolved(self):
        return "auto" not in (self.min_level, self.max_level, self.size, self.aspect_ratios)


def _small_filters():
    return [16, 32, 64, 96, 128]


@dataclasses.dataclass
class Model:
    architecture: Literal[ARCHITECTURES] = "retinanet"  # one stage, or two: region proposals, then a box head
    backbone: Literal[BACKBONES] = "small"  # small: a CNN from scratch; the others: keras.applications
    weights: str = "none"  # imagenet | none | a .h5 weights file of the backbone | a .keras model of an earlier run
    filters: list[int] = dataclasses.field(default_factory=_small_filters)  # small: width at strides 2 .. 32
    pyramid_width: int = 64  # channels of every feature pyramid level
    head_width: int = 64  # channels of the class and box heads' convolutions (RetinaNet: 256), and the RPN's
    head_depth: int = 2  # 3x3 convolutions in each head before its output (RetinaNet: 4)
    masks: bool = False  # faster_rcnn: a mask head too (Mask R-CNN), from each object's mask in the data
    head_norm: Literal["group", "none"] = "group"  # GroupNorm after each head convolution, or none (RetinaNet's)
    prior_probability: float = 0.01  # the class head starts out predicting this for every class (focal loss paper)
    batchnorm_momentum: Union[float, Literal["auto"]] = "auto"  # auto: sized from steps per epoch

    def validate(self):
        if len(self.filters) != 5 or min(self.filters) < 1:
            raise ValueError(f"model.filters is {self.filters}, expected 5 positive widths (strides 2, 4, 8, 16, 32)")
        for name in ("pyramid_width", "head_width"):
            if getattr(self, name) < 1:
                raise ValueError(f"model.{name} is {getattr(self, name)}, expected 1 or more")
        if self.head_depth < 0:
            raise ValueError(f"model.head_depth is {self.head_depth}, expected 0 or more")
        if not 0.0 < self.prior_probability < 1.0:
            raise ValueError(f"model.prior_probability is {self.prior_probability}, expected a number in (0, 1)")
        settings.check_weights(self.weights, self.backbone, from_scratch=self.backbone == "small")
        if self.masks and self.architecture != "faster_rcnn":
            raise ValueError("model.masks needs model.architecture: faster_rcnn (the masks come from its second stage)")


@dataclasses.dataclass
class Rpn:
    """Faster R-CNN's region proposal network: which anchors it learns, and how many proposals it hands on."""

    positive_iou: float = 0.7  # an anchor at least this close to a box is an object
    negative_iou: float = 0.3  # below this with every box: background; in between: ignored
    pre_nms: int = 1000  # best-scored anchors decoded before non-maximum suppression
    nms_iou: float = 0.7  # proposals overlapping a better one this much are dropped
    train_proposals: int = 256  # per picture, kept after NMS in training
    proposals: int = 100  # per picture, kept after NMS in detection

    def validate(self):
        if not 0.0 < self.negative_iou <= self.positive_iou < 1.0:
            raise ValueError(
                f"rpn.negative_iou {self.negative_iou} and positive_iou {self.positive_iou}: expected "
                f"0 < negative_iou <= positive_iou < 1"
            )
        if not 0.0 < self.nms_iou <= 1.0:
            raise ValueError(f"rpn.nms_iou is {self.nms_iou}, expected a number in (0, 1]")
        for name in ("pre_nms", "train_proposals", "proposals"):
            if getattr(self, name) < 1:
                raise ValueError(f"rpn.{name} is {getattr(self, name)}, expected 1 or more")


@dataclasses.dataclass
class Roi:
    """Faster R-CNN's second stage: the proposals it learns from and how it looks at them."""

    per_image: int = 64  # proposals and true boxes sampled per picture for the head's losses (Faster R-CNN: 128)
    positive_fraction: float = 0.25  # at most this share of them objects, the rest background
    positive_iou: float = 0.5  # a proposal at least this close to a box learns its class and offsets
    pool_size: int = 7  # ROI Align's grid per side
    # bilinear samples per grid cell and side. A box spans 1-2x anchors.size pixels of its level's map, fewer than
    # the grid's cells, so one sample per cell already reads every pixel (Detectron's adaptive rule gives 1 too)
    sampling_ratio: int = 1
    fc_width: int = 256  # the box head's two fully connected layers (Faster R-CNN with FPN: 1024)
    mask_size: int = 28  # model.masks: each object's mask, predicted on this grid over its box (Mask R-CNN: 28)
    mask_convs: int = 2  # 3x3 convolutions of the mask head on ROI Align's mask_size / 2 grid (Mask R-CNN: 4)
    mask_width: int = 32  # their channels (Mask R-CNN: 256)

    def validate(self):
        if self.mask_size < 2 or self.mask_size % 2:
            raise ValueError(f"roi.mask_size is {self.mask_size}, expected an even number: ROI Align reads half of it")
        for name in ("per_image", "pool_size", "sampling_ratio", "fc_width", "mask_convs", "mask_width"):
            if getattr(self, name) < 1:
                raise ValueError(f"roi.{name} is {getattr(self, name)}, expected 1 or more")
        for name in ("positive_fraction", "positive_iou"):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise ValueError(f"roi.{name} is {getattr(self, name)}, expected a number in (0, 1]")


@dataclasses.dataclass
class Loss:
    focal_alpha: float = 0.25  # weight of the objects' term against the background's
    focal_gamma: float = 2.0  # how much easy (well-classified) anchors are down-weighted
    box_weight: float = 1.0  # the box regression's share of the loss
    huber_delta: float = 1.0  # box regression: squared below this error, linear above

    def validate(self):
        if not 0.0 < self.focal_alpha < 1.0:
            raise ValueError(f"loss.focal_alpha is {self.focal_alpha}, expected a number in (0, 1)")
        for name in ("focal_gamma", "box_weight"):
            if getattr(self, name) < 0:
                raise ValueError(f"loss.{name} is {getattr(self, name)}, expected 0 or more")
        if self.huber_delta <= 0:
            raise ValueError(f"loss.huber_delta is {self.huber_delta}, expected a positive number")


@dataclasses.dataclass
class Detect:
    score_threshold: float = 0.05  # detections scored below this are dropped (low, so mAP sees the whole curve)
    iou_threshold: float = 0.5  # non-maximum suppression, per class: a box overlapping a better one this much goes
    max_detections: int = 100  # per image
    draw_threshold: float = 0.3  # pictures and predictions.csv show detections from this score

    def validate(self):
        for name in ("score_threshold", "iou_threshold", "draw_threshold"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"detect.{name} is {getattr(self, name)}, expected a number in [0, 1]")
        if self.max_detections < 1:
            raise ValueError(f"detect.max_detections is {self.max_detections}, expected 1 or more")


@dataclasses.dataclass
class BoxAugmentation(PairedAugmentation):
    flip: Literal["none", "horizontal", "vertical", "horizontal_and_vertical"] = "horizontal"
    translation: float = 0.1  # up to +-this fraction of the side, boxes moved along

    def validate(self):
        super().validate()
        if self.rotation:
            raise ValueError("augment.rotation: a rotated box's outline is no longer tight; use 0 for detection")
        if not 0.0 <= self.translation <= 1.0:
            raise ValueError(f"augment.translation is {self.translation}, expected a number in [0, 1]")


@dataclasses.dataclass
class Config:
    data: Data = dataclasses.field(default_factory=Data)
    anchors: Anchors = dataclasses.field(default_factory=Anchors)
    model: Model = dataclasses.field(default_factory=Model)
    rpn: Rpn = dataclasses.field(default_factory=Rpn)
    roi: Roi = dataclasses.field(default_factory=Roi)
    loss: Loss = dataclasses.field(default_factory=Loss)
    detect: Detect = dataclasses.field(default_factory=Detect)
    augment: BoxAugmentation = dataclasses.field(default_factory=BoxAugmentation)
    train: settings.TransferTrain = dataclasses.field(default_factory=settings.TransferTrain)
    run: settings.Run = dataclasses.field(default_factory=settings.Run)
    distribution: settings.Distribution = dataclasses.field(default_factory=settings.Distribution)

    @property
    def pretrained(self):
        return self.model.weights != "none"


def load(path, overrides=()):
    return load_config(Config, path, overrides)
