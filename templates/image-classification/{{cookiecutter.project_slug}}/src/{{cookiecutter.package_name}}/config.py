"""The typed config of this project: every knob of `configs/default.yaml`, with its checks."""

import dataclasses
from pathlib import Path
from typing import Literal, Union

from .datasets.augment import ImageAugmentation
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
    check_images: bool = True  # open every file once and list the unreadable ones

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
        if self.weights in ("imagenet", "none"):
            if self.backbone == "small_cnn" and self.weights == "imagenet":
                raise ValueError("model.weights: small_cnn has no ImageNet weights; use none or a .keras model")
            return
        if not Path(self.weights).is_file():
            raise ValueError(f"model.weights {self.weights!r} is neither imagenet, none, nor an existing file")
        if not self.weights.endswith((".h5", ".keras")):
            raise ValueError(f"model.weights {self.weights!r}: use a .h5 weights file or a .keras model")
        if self.backbone == "small_cnn" and not self.weights.endswith(".keras"):
            raise ValueError("model.weights: small_cnn transfers from a .keras model of an earlier run")


@dataclasses.dataclass
class Train:
    epochs: int = 30  # phase 1: the head on a frozen backbone (or every layer when weights is none)
    finetune_epochs: int = 10  # phase 2, pretrained backbones only: the top layers unfrozen
    unfreeze_top: int = 20  # layers of the backbone trained in phase 2 (BatchNorm stays frozen)
    learning_rate: float = 0.001
    finetune_learning_rate: float = 0.0001
    optimizer: Literal["adam", "adamw", "sgd"] = "adam"
    label_smoothing: float = 0.0
    early_stopping_patience: int = 0  # epochs without val_accuracy gain before stopping; 0: off
    seed: int = 42
    deterministic: bool = False  # true: a rerun repeats bit for bit on the same machine, slower
    precision: Literal["auto", "float32", "mixed_float16", "mixed_bfloat16"] = "auto"
    jit_compile: Union[bool, Literal["auto"]] = "auto"
    profile_batches: list[int] = dataclasses.field(default_factory=list)  # e.g. [10, 20]: TensorBoard profile

    def validate(self):
        if self.epochs < 1 or self.finetune_epochs < 0:
            raise ValueError("train.epochs must be 1 or more and train.finetune_epochs 0 or more")
        if self.profile_batches and len(self.profile_batches) != 2:
            raise ValueError(f"train.profile_batches is {self.profile_batches}, expected [first, last] or []")


@dataclasses.dataclass
class Evaluate:
    top_k: int = 3


@dataclasses.dataclass
class Run:
    dir: str = "runs"
    name: str = ""  # empty: a new time-stamped run, or the newest unfinished run with the same config


@dataclasses.dataclass
class Config:
    data: Data = dataclasses.field(default_factory=Data)
    model: Model = dataclasses.field(default_factory=Model)
    augment: ImageAugmentation = dataclasses.field(default_factory=ImageAugmentation)
    train: Train = dataclasses.field(default_factory=Train)
    evaluate: Evaluate = dataclasses.field(default_factory=Evaluate)
    run: Run = dataclasses.field(default_factory=Run)

    @property
    def pretrained(self):
        return self.model.weights != "none"


def load(path, overrides=()):
    return load_config(Config, path, overrides)
