"""The typed config of this project: every knob of `configs/default.yaml`, with its checks."""

import dataclasses
from typing import Literal, Optional, Union

from .datasets.augment import PairedAugmentation
from .mask_files import MaskEncoding
from .runtime import settings
from .runtime.config import load_config

ENCODERS = ("unet", "mobilenet_v3_small", "mobilenet_v3_large", "efficientnet_v2_b0", "resnet50")
LOSS_TERMS = ("cross_entropy", "dice", "focal")


@dataclasses.dataclass
class MaskClass:
    """One class: its name and either the mask value (index masks) or the RGB colour (palette masks) it has."""

    name: str = ""
    value: Optional[int] = None
    colour: Optional[list[int]] = None


@dataclasses.dataclass
class Data:
    images_dir: str = "data/sample/images"
    masks_dir: str = "data/sample/masks"  # one PNG per image, same file stem
    classes: Union[Literal["auto"], list[MaskClass]] = "auto"  # auto: the masks' values (`data.resolve_classes`)
    ignore_value: Union[int, list[int], None] = None  # e.g. 255: pixels in no loss and no metric
    val_images_dir: str = ""  # a validation pair of folders; empty: split `val_fraction` off the training images
    val_masks_dir: str = ""
    val_fraction: float = 0.2
    test_images_dir: str = ""  # held-out pair of folders for `evaluate`; empty: the validation split
    test_masks_dir: str = ""
    image_size: Union[int, Literal["auto"]] = "auto"  # auto: sized by the objects in the masks (`data.image_size`)
    batch_size: int = 16
    oversample: Literal["none", "rare_classes"] = "rare_classes"
    oversample_threshold: float = 0.3  # classes in fewer than this fraction of the images are repeated
    cache: bool = True  # keep decoded images and masks in memory after the first epoch

    def validate(self):
        if self.classes != "auto":
            self.validate_classes()
        elif isinstance(self.ignore_value, list):
            raise ValueError(
                f"data.ignore_value {self.ignore_value}: data.classes auto reads index masks, so give a value "
                f"(e.g. 255), or list each class's colour in data.classes"
            )
        if not 0.0 <= self.val_fraction < 1.0:
            raise ValueError(f"data.val_fraction is {self.val_fraction}, expected a number in [0, 1)")
        if bool(self.val_images_dir) != bool(self.val_masks_dir):
            raise ValueError("data.val_images_dir and data.val_masks_dir go together: set both or neither")
        if bool(self.test_images_dir) != bool(self.test_masks_dir):
            raise ValueError("data.test_images_dir and data.test_masks_dir go together: set both or neither")
        if self.batch_size < 1:
            raise ValueError(f"data.batch_size is {self.batch_size}, expected 1 or more")
        if self.image_size != "auto" and (self.image_size < 32 or self.image_size % 32):
            raise ValueError(
                f"data.image_size is {self.image_size}, expected auto or a multiple of 32 (the "
                f"encoders halve it five times)"
            )

    def validate_classes(self):
        if not self.classes:
            raise ValueError("data.classes is empty: list each class as {name: ..., value: ...}, or give auto")
        names = [mask_class.name for mask_class in self.classes]
        if "" in names or len(set(names)) != len(names):
            raise ValueError(f"data.classes names {names} must be given and differ from each other")
        by_value = [mask_class.value is not None for mask_class in self.classes]
        by_colour = [mask_class.colour is not None for mask_class in self.classes]
        if not (all(by_value) and not any(by_colour)) and not (all(by_colour) and not any(by_value)):
            raise ValueError(
                "data.classes: give every class a value (index masks) or every class a colour "
                "(RGB masks), e.g. {name: road, value: 1} or {name: road, colour: [128, 64, 128]}"
            )
        for mask_class in self.classes:
            if mask_class.value is not None and not 0 <= mask_class.value <= 255:
                raise ValueError(f"data.classes {mask_class.name}: value {mask_class.value} is not in 0..255")
            if mask_class.colour is not None and (
                len(mask_class.colour) != 3 or not all(0 <= c <= 255 for c in mask_class.colour)
            ):
                raise ValueError(
                    f"data.classes {mask_class.name}: colour {mask_class.colour} is not [r, g, b] in 0..255"
                )
        if self.ignore_value is not None and isinstance(self.ignore_value, list) != all(by_colour):
            raise ValueError(
                f"data.ignore_value {self.ignore_value}: use a value like the classes' "
                f"({'[r, g, b]' if all(by_colour) else 'e.g. 255'})"
            )
        if len(self.classes) < 2:
            raise ValueError("data.classes needs two classes or more (e.g. background and the object)")

    @property
    def class_names(self):
        return [mask_class.name for mask_class in self.classes]

    def encoding(self):
        """How mask pixels name classes, for `mask_files` and the tf.data pipeline."""
        if self.classes[0].colour is not None:
            ignore = tuple(self.ignore_value) if self.ignore_value is not None else None
            return MaskEncoding(colours=tuple(tuple(c.colour) for c in self.classes), ignore=ignore)
        return MaskEncoding(values=tuple(c.value for c in self.classes), ignore=self.ignore_value)


def _unet_filters():
    return [16, 32, 64, 128]


def _decoder_filters():
    return [128, 64, 32, 16, 16]


@dataclasses.dataclass
class Model:
    encoder: Literal[ENCODERS] = "unet"  # unet: from scratch; the others: keras.applications encoders
    weights: str = "none"  # imagenet | none | a .h5 weights file of the encoder | a .keras model of an earlier run
    activation: Literal["softmax", "sigmoid"] = "softmax"  # sigmoid: two classes, one logit per pixel
    filters: list[int] = dataclasses.field(default_factory=_unet_filters)  # unet: width of each level, top down
    decoder_filters: list[int] = dataclasses.field(default_factory=_decoder_filters)  # encoders: per upsampling
    dropout: float = 0.1  # before the per-pixel classifier
    batchnorm_momentum: Union[float, Literal["auto"]] = "auto"  # auto: sized from steps per epoch

    def validate(self):
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"model.dropout is {self.dropout}, expected a number in [0, 1)")
        if not self.filters or min(self.filters) < 1 or len(self.filters) > 5:
            raise ValueError(f"model.filters is {self.filters}, expected 1 to 5 positive widths")
        if len(self.decoder_filters) != 5 or min(self.decoder_filters) < 1:
            raise ValueError(
                f"model.decoder_filters is {self.decoder_filters}, expected 5 positive widths "
                f"(one per upsampling from 1/32 to full size)"
            )
        settings.check_weights(self.weights, self.encoder, from_scratch=self.encoder == "unet")


@dataclasses.dataclass
class Loss:
    terms: str = "cross_entropy+dice"  # cross_entropy | dice | focal, or a sum such as focal+dice
    class_weights: Literal["median_frequency", "none"] = "median_frequency"  # for cross_entropy and focal
    focal_gamma: float = 2.0

    def validate(self):
        unknown = [term for term in self.term_list if term not in LOSS_TERMS]
        if unknown or not self.term_list:
            raise ValueError(f"loss.terms {self.terms!r}: use {', '.join(LOSS_TERMS)} or a sum like cross_entropy+dice")
        if self.focal_gamma < 0:
            raise ValueError(f"loss.focal_gamma is {self.focal_gamma}, expected 0 or more")

    @property
    def term_list(self):
        return [term.strip() for term in self.terms.split("+") if term.strip()]


@dataclasses.dataclass
class Config:
    data: Data = dataclasses.field(default_factory=Data)
    model: Model = dataclasses.field(default_factory=Model)
    loss: Loss = dataclasses.field(default_factory=Loss)
    augment: PairedAugmentation = dataclasses.field(default_factory=PairedAugmentation)
    train: settings.TransferTrain = dataclasses.field(default_factory=settings.TransferTrain)
    run: settings.Run = dataclasses.field(default_factory=settings.Run)
    distribution: settings.Distribution = dataclasses.field(default_factory=settings.Distribution)

    def validate(self):
        # with data.classes auto, `Task.read_data` checks this once the masks gave the classes
        if self.data.classes != "auto" and self.model.activation == "sigmoid" and len(self.data.classes) != 2:
            raise ValueError(
                f"model.activation sigmoid needs exactly two data.classes (background and object), "
                f"found {len(self.data.classes)}: use softmax"
            )

    @property
    def pretrained(self):
        return self.model.weights != "none"


def load(path, overrides=()):
    return load_config(Config, path, overrides)
