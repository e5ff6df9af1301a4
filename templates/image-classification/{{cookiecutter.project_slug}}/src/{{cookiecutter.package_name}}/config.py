"""The typed config of this project: every knob of `configs/default.yaml`, with its checks."""

import dataclasses
from typing import Literal, Union

from .datasets.augment import ImageAugmentation
from .runtime import settings
from .runtime.config import load_config

BACKBONES = ("small_cnn", "mobilenet_v3_small", "efficientnet_v2_b0", "resnet50", "vgg16", "convnext_tiny")


@dataclasses.dataclass
class Data:
    dir: str = "data/sample"  # one sub-folder per class
    csv: str = ""  # or a CSV of path,label rows; used instead of `dir` when set
    val_dir: str = ""  # a validation folder of the same layout; empty: split `val_fraction` off `dir`
    val_fraction: float = 0.2
    test_dir: str = ""  # held-out folder for `evaluate`; empty: the validation split
    image_size: Union[int, Literal["auto"]] = "auto"  # auto: median image size, rounded to 32, in [32, 224]
    batch_size: int = 32
    class_weights: Literal["balanced", "none"] = "balanced"
    cache: bool = True  # keep decoded images in memory after the first epoch
    check_images: bool = True  # decode every file once and list the unreadable or truncated ones

    def validate(self):
        if not 0.0 <= self.val_fraction < 1.0:
            raise ValueError(f"data.val_fraction is {self.val_fraction}, expected a number in [0, 1)")
        if self.batch_size < 1:
            raise ValueError(f"data.batch_size is {self.batch_size}, expected 1 or more")
        if self.image_size != "auto" and self.image_size < 32:
            raise ValueError(f"data.image_size is {self.image_size}, expected auto or 32 or more")


@dataclasses.dataclass
class ConvBlock:
    """One block of the from-scratch CNN: convolution, BatchNorm, ReLU, then pooling."""

    filters: int = 32
    kernel_size: int = 3
    stride: int = 1
    padding: Literal["same", "valid"] = "same"
    pool: Literal["max", "average", "none"] = "max"
    pool_size: int = 2


def _default_blocks():
    return [ConvBlock(32), ConvBlock(64), ConvBlock(128), ConvBlock(128)]


@dataclasses.dataclass
class Model:
    backbone: Literal[BACKBONES] = "small_cnn"
    weights: str = "none"  # imagenet | none | path to a .h5 weights file or a .keras model of an earlier run
    dropout: float = 0.2
    blocks: list[ConvBlock] = dataclasses.field(default_factory=_default_blocks)  # small_cnn only
    batchnorm_momentum: Union[float, Literal["auto"]] = "auto"  # small_cnn; auto: sized from steps per epoch

    def validate(self):
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"model.dropout is {self.dropout}, expected a number in [0, 1)")
        settings.check_weights(self.weights, self.backbone, from_scratch=self.backbone == "small_cnn")


@dataclasses.dataclass
class Train(settings.TransferTrain):
    label_smoothing: float = 0.0


@dataclasses.dataclass
class Evaluate:
    top_k: int = 3


@dataclasses.dataclass
class Config:
    data: Data = dataclasses.field(default_factory=Data)
    model: Model = dataclasses.field(default_factory=Model)
    augment: ImageAugmentation = dataclasses.field(default_factory=ImageAugmentation)
    train: Train = dataclasses.field(default_factory=Train)
    evaluate: Evaluate = dataclasses.field(default_factory=Evaluate)
    run: settings.Run = dataclasses.field(default_factory=settings.Run)
    distribution: settings.Distribution = dataclasses.field(default_factory=settings.Distribution)

    @property
    def pretrained(self):
        return self.model.weights != "none"


def load(path, overrides=()):
    return load_config(Config, path, overrides)
