"""Devices, distribution strategy, precision and XLA: one place decides them for every template.

CPU -> the default strategy; one GPU -> `OneDeviceStrategy`; several GPUs -> `MirroredStrategy`.
Beyond one machine, `MultiWorkerMirroredStrategy` fails under Keras 3 (keras issue 20585), and
`keras.distribution` is multi-host on the JAX backend only: models, losses and metrics here are written with
`keras.ops`, so they run there unchanged.
"""

import dataclasses
import importlib.metadata
import platform
from pathlib import Path

import keras
import tensorflow as tf

from .errors import UserError

PRECISIONS = ("auto", "float32", "mixed_float16", "mixed_bfloat16")


@dataclasses.dataclass
class Setup:
    strategy: tf.distribute.Strategy
    precision: str
    jit_compile: bool

    @property
    def replicas(self):
        return self.strategy.num_replicas_in_sync


def gpus():
    return tf.config.list_physical_devices("GPU")


def enable_memory_growth():
    """Lets TensorFlow take GPU memory as it needs it, so two runs can share a GPU."""
    for gpu in gpus():
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:  # devices already initialised; growth must be set first
            pass


def cpu_has_fast_bf16():
    """True where the CPU has native bf16 matrix instructions (AVX512-BF16 or AMX)."""
    cpuinfo = Path("/proc/cpuinfo")
    if not cpuinfo.is_file():
        return False
    flags = cpuinfo.read_text(errors="ignore")
    return "avx512_bf16" in flags or "amx_bf16" in flags


def auto_precision():
    if gpus():
        return "mixed_float16"
    return "mixed_bfloat16" if cpu_has_fast_bf16() else "float32"


def choose_strategy():
    logical_gpus = tf.config.list_logical_devices("GPU")
    if len(logical_gpus) > 1:
        return tf.distribute.MirroredStrategy()
    if len(logical_gpus) == 1:
        return tf.distribute.OneDeviceStrategy(logical_gpus[0].name)
    return tf.distribute.get_strategy()


def resolve_jit(jit_compile, precision):
    """`auto` turns XLA on for GPUs only: on CPUs it measured slower here (benchmarks/RESULTS.md)."""
    if jit_compile == "auto":
        return bool(gpus())
    return bool(jit_compile)


def setup(precision="auto", jit_compile="auto"):
    """Applies precision and picks strategy and XLA; call before building models."""
    if precision not in PRECISIONS:
        raise UserError(f"precision {precision!r} unknown: use one of {', '.join(PRECISIONS)}")
    enable_memory_growth()
    chosen = auto_precision() if precision == "auto" else precision
    keras.mixed_precision.set_dtype_policy(chosen)
    return Setup(strategy=choose_strategy(), precision=chosen, jit_compile=resolve_jit(jit_compile, chosen))


LIBRARIES = ("keras-hub", "gymnasium", "tf-agents", "tf-keras")  # those a project has, beside TensorFlow and Keras


def installed_versions(distributions):
    """`{name: version}` of the distributions installed here, in the order given; the others are left out."""
    versions = {}
    for name in distributions:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def describe(precision="auto", jit_compile="auto"):
    """The lines `<slug> info` prints: versions, devices and what `train` would use here."""
    chosen = auto_precision() if precision == "auto" else precision
    strategy = choose_strategy()
    devices = [f"{device.device_type}:{device.name}" for device in tf.config.list_logical_devices()]
    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "keras backend": keras.backend.backend(),
        **installed_versions(LIBRARIES),
        "devices": ", ".join(devices),
        "strategy": f"{type(strategy).__name__} ({strategy.num_replicas_in_sync} replica(s))",
        "precision": f"{chosen} (config: {precision})",
        "xla (jit_compile)": f"{resolve_jit(jit_compile, chosen)} (config: {jit_compile})",
        "bf16 matmul instructions": str(cpu_has_fast_bf16()),
    }
