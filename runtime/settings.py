"""Config sections every template shares: how to train (`train:`), where runs go (`run:`), and, for the templates
that train with Keras `fit`, several processes (`distribution:`).

`Train` is one phase of training; `ClippedTrain` adds gradient norm clipping; `TransferTrain` adds the
fine-tuning phase of a pretrained backbone.
A template's config subclasses them to add its own knobs:

    @dataclasses.dataclass
    class Train(settings.TransferTrain):
        label_smoothing: float = 0.0
"""

import dataclasses
from pathlib import Path
from typing import Literal, Union

# The pretrained CNNs `backbones.APPLICATIONS` builds, named here for configs, which load before Keras does.
APPLICATION_BACKBONES = (
    "mobilenet_v3_small",
    "mobilenet_v3_large",
    "efficientnet_v2_b0",
    "resnet50",
    "vgg16",
    "convnext_tiny",
)


@dataclasses.dataclass
class Train:
    epochs: int = 30
    learning_rate: float = 0.001
    optimizer: Literal["adam", "adamw", "sgd"] = "adam"
    # constant | cosine: warm-up, then cosine decay to 0 over each phase | plateau: halved when validation stalls
    schedule: Literal["constant", "cosine", "plateau"] = "constant"
    warmup_epochs: float = 0.0  # cosine: epochs of linear warm-up to learning_rate at the start of each phase
    plateau_patience: int = 3  # plateau: epochs without a gain in the validation metric before halving
    early_stopping_patience: int = 0  # epochs without a gain in the validation metric before stopping; 0: off
    early_stopping_start: int = 0  # first epochs early stopping ignores: a new model's may not gain yet
    min_delta: float = 0.0  # a validation gain below this counts as none, for early stopping and plateau
    seed: int = 42
    deterministic: bool = False  # true: a rerun repeats bit for bit on the same machine, slower
    precision: Literal["auto", "float32", "mixed_float16", "mixed_bfloat16"] = "auto"
    jit_compile: Union[bool, Literal["auto"]] = "auto"
    profile_batches: list[int] = dataclasses.field(default_factory=list)  # e.g. [10, 20]: TensorBoard profile
    # auto: a bar in a terminal, a plain line every 30 s in a pipe; or bar, lines, epochs (a line per epoch)
    progress: Literal["auto", "bar", "lines", "epochs"] = "auto"

    def validate(self):
        if self.epochs < 1:
            raise ValueError(f"train.epochs is {self.epochs}, expected 1 or more")
        if self.warmup_epochs < 0 or (self.warmup_epochs and self.schedule != "cosine"):
            raise ValueError(f"train.warmup_epochs is {self.warmup_epochs}: 0, or more with train.schedule cosine")
        if self.min_delta < 0:
            raise ValueError(f"train.min_delta is {self.min_delta}, expected 0 or more")
        if self.early_stopping_start < 0:
            raise ValueError(f"train.early_stopping_start is {self.early_stopping_start}, expected 0 or more")
        if self.plateau_patience < 1:
            raise ValueError(f"train.plateau_patience is {self.plateau_patience}, expected 1 or more")
        if self.profile_batches and len(self.profile_batches) != 2:
            raise ValueError(f"train.profile_batches is {self.profile_batches}, expected [first, last] or []")


@dataclasses.dataclass
class ClippedTrain(Train):
    """`Train` with gradient norm clipping, for recurrent nets' exploding gradients or Q-learning's jumps."""

    clip_norm: float = 1.0  # the largest global norm of the gradients (optimizer.global_clipnorm); 0: off

    def validate(self):
        super().validate()
        if self.clip_norm < 0:
            raise ValueError(f"train.clip_norm is {self.clip_norm}, expected 0 (off) or more")


@dataclasses.dataclass
class TransferTrain(Train):
    """`epochs` is phase 1: the head on a frozen backbone (or every layer when weights is none)."""

    finetune_epochs: int = 10  # phase 2, pretrained backbones only: the top layers unfrozen
    unfreeze_top: int = 20  # layers of the backbone trained in phase 2 (BatchNorm stays frozen)
    finetune_learning_rate: float = 0.0001

    def validate(self):
        super().validate()
        if self.finetune_epochs < 0:
            raise ValueError(f"train.finetune_epochs is {self.finetune_epochs}, expected 0 or more")


@dataclasses.dataclass
class Run:
    dir: str = "runs"
    name: str = ""  # empty: a new time-stamped run, or the newest unfinished run with the same config


@dataclasses.dataclass
class Distribution:
    """Several processes training one model (JAX backend; `runtime/processes.py`). The environment's
    KERAS_DISTRIBUTION_JOB_ADDRESSES, _NUM_PROCESSES and _PROCESS_ID win over these where set."""

    coordinator: str = ""  # host:port where process 0 serves the others, e.g. 10.0.0.1:7777
    processes: int = 1
    process_id: int = 0  # 0 is the coordinator, which writes the run folder
    timeout_seconds: int = 300  # how long processes wait at start for the coordinator, then for each other
    heartbeat_seconds: int = 30  # a process silent this long has died: the others stop too

    def validate(self):
        if self.processes < 1:
            raise ValueError(f"distribution.processes is {self.processes}, expected 1 or more")
        if not 0 <= self.process_id < self.processes:
            raise ValueError(
                f"distribution.process_id is {self.process_id}: expected 0 to {self.processes - 1} "
                f"for {self.processes} process(es)"
            )
        host, colon, port = self.coordinator.rpartition(":")
        if self.processes > 1 and not (colon and host and port.isdigit()):
            raise ValueError(f"distribution.coordinator {self.coordinator!r}: expected host:port of process 0")
        if self.timeout_seconds < 1 or self.heartbeat_seconds < 1:
            raise ValueError("distribution.timeout_seconds and heartbeat_seconds: expected 1 or more")


def check_weights(weights, backbone, from_scratch, key="model.weights"):
    """`key`: imagenet | none | an existing `.h5` weights file of a `keras.applications` backbone | a `.keras` model
    of an earlier run. A `from_scratch` backbone transfers only from a `.keras` model."""
    if weights in ("imagenet", "none"):
        if from_scratch and weights == "imagenet":
            raise ValueError(f"{key}: {backbone} has no ImageNet weights; use none or a .keras model")
        return
    if not Path(weights).is_file():
        raise ValueError(f"{key} {weights!r} is neither imagenet, none, nor an existing file")
    if not weights.endswith((".h5", ".keras")):
        raise ValueError(f"{key} {weights!r}: use a .h5 weights file or a .keras model")
    if from_scratch and not weights.endswith(".keras"):
        raise ValueError(f"{key}: {backbone} transfers from a .keras model of an earlier run")
