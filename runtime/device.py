"""Devices, distribution, precision and XLA: one place decides them for every template.

On the TensorFlow backend (the default): CPU -> the default strategy; one GPU -> `OneDeviceStrategy`; several
GPUs -> `MirroredStrategy`. Beyond one machine, `MultiWorkerMirroredStrategy` fails under Keras 3 (keras issue
20585), and `keras.distribution` does nothing on TensorFlow. On the JAX backend (`KERAS_BACKEND=jax`),
`keras.distribution.DataParallel` splits each batch over every device of every process (several processes:
`runtime/processes.py`): models, losses and metrics are written with `keras.ops`, the input stays `tf.data`.

    setup = device.setup("auto", "auto")
    with setup.scope():  # TensorFlow's strategy scope; nothing to enter on JAX, whose distribution is global
        model = build_model(...)
"""

import contextlib
import dataclasses
import importlib.metadata
import platform
from pathlib import Path
from typing import Optional

import keras
import numpy as np
import tensorflow as tf

from . import processes
from .errors import UserError

PRECISIONS = ("auto", "float32", "mixed_float16", "mixed_bfloat16")


@dataclasses.dataclass
class Setup:
    precision: str
    jit_compile: bool
    strategy: Optional[tf.distribute.Strategy] = None  # TensorFlow's; on JAX, keras.distribution's is global

    def scope(self):
        """Where models and optimizers are built: the strategy's scope on TensorFlow, nothing to enter on JAX."""
        return self.strategy.scope() if self.strategy else contextlib.nullcontext()

    @property
    def replicas(self):
        """How many devices share each batch."""
        return self.strategy.num_replicas_in_sync if self.strategy else batch_devices()


def batch_devices():
    """The devices JAX's DataParallel splits each batch over, every process's; 1 without it, and on TensorFlow,
    whose strategies split a batch of any size."""
    distribution = keras.distribution.distribution() if on_jax() else None
    return distribution.device_mesh.devices.size if distribution else 1


def even_batches(batches, weigh_copies=False, devices=None):
    """`batches` (tuples, or single tensors) as DataParallel takes them: it splits a batch in equal parts only, so a
    batch the devices do not divide (a last, smaller one; a length bucket's last) is topped up with copies of its
    first rows. With `weigh_copies`, the batches are `(inputs, targets[, weights])` and come out with weights, 0 for
    the copies: a loss averaged over weights and weighted metrics count only the real rows. Without, the copies count
    (at most devices - 1 rows a batch): for training with `class_weight`, which Keras takes with no weights column.
    `devices`: `batch_devices()` unless given; with one, `batches` unchanged."""
    devices = devices or batch_devices()
    if devices == 1:
        return batches

    def rows_of(tensor):
        return tf.shape(tensor)[0]

    def topped_up(*batch):
        size = rows_of(tf.nest.flatten(batch)[0])
        rows = tf.range(-(-size // devices) * devices) % size  # every row, then the first ones again
        copies = tf.nest.map_structure(lambda tensor: tf.gather(tensor, rows), batch[:2] if weigh_copies else batch)
        if not weigh_copies:
            return copies if len(batch) > 1 else copies[0]
        weights = batch[2] if len(batch) > 2 else tf.ones([size], tf.float32)
        extra = tf.zeros(tf.concat([[rows_of(rows) - size], tf.shape(weights)[1:]], 0), weights.dtype)
        return (*copies, tf.concat([weights, extra], 0))

    return batches.map(topped_up)


def process_share(batches):
    """Each batch of `batches` (`even_batches`) cut to this process's rows when several processes train: each feeds
    its share, and JAX assembles the global batch from them. Unchanged for one process."""
    count, index = processes.process_count(), processes.process_index()
    if count == 1:
        return batches
    share = lambda tensor: tensor[index::count]  # noqa: E731

    def cut(*batch):
        batch = tf.nest.map_structure(share, batch)
        return batch if len(batch) > 1 else batch[0]

    return batches.map(cut)


def predict_on_batch(model, inputs):
    """`model.predict_on_batch` on any number of rows (numpy arrays): on JAX, DataParallel splits a batch in equal
    parts only, so the rows are topped up with copies of the last and the copies' outputs dropped."""
    rows = len(keras.tree.flatten(inputs)[0])
    padding = -rows % batch_devices()
    if padding:
        inputs = keras.tree.map_structure(
            lambda array: np.concatenate([array, np.repeat(array[-1:], padding, 0)]), inputs
        )
    return keras.tree.map_structure(lambda array: array[:rows], model.predict_on_batch(inputs))


def jax_compiled(model, function):
    """`function(*arrays)`, which calls `model`, compiled by `jax.jit`, with the model's weights passed in as arguments
    at each call: it computes with the weights of the moment (they change every epoch), not constants that the first
    call froze. For what TensorFlow runs as a graph function around the model, which on JAX cannot hold it.

    >>> probabilities = jax_compiled(model, lambda ids: keras.ops.softmax(model(ids, training=False)))
    >>> probabilities(np.array([[2, 7, 3]]))
    """
    import jax

    def stateless(values, *arrays):
        with keras.StatelessScope(state_mapping=list(zip(model.variables, values, strict=True))):
            return function(*arrays)

    compiled = jax.jit(stateless)
    return lambda *arrays: compiled([variable.value for variable in model.variables], *arrays)


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


def on_jax():
    return keras.backend.backend() == "jax"


def choose_distribution():
    """JAX: data parallel over every device of every process, or None on a single device. Each process feeds its
    own share of every batch (`process_share`), not Keras' re-batching, which in a last, smaller batch would
    hand the processes different numbers of batches."""
    devices = keras.distribution.list_devices()
    if len(devices) == 1:
        return None
    return keras.distribution.DataParallel(devices=devices, auto_shard_dataset=False)


def choose_strategy():
    logical_gpus = tf.config.list_logical_devices("GPU")
    if len(logical_gpus) > 1:
        return tf.distribute.MirroredStrategy()
    if len(logical_gpus) == 1:
        return tf.distribute.OneDeviceStrategy(logical_gpus[0].name)
    return tf.distribute.get_strategy()


def resolve_jit(jit_compile, precision):
    """`auto` turns XLA on for GPUs only on TensorFlow, where on CPUs it measured slower (benchmarks/RESULTS.md);
    always on JAX, which without it runs a step op by op."""
    if jit_compile == "auto":
        return on_jax() or bool(gpus())
    return bool(jit_compile)


def setup(precision="auto", jit_compile="auto"):
    """Applies precision and picks strategy and XLA; call before building models."""
    if precision not in PRECISIONS:
        raise UserError(f"precision {precision!r} unknown: use one of {', '.join(PRECISIONS)}")
    if on_jax():
        tf.config.set_visible_devices([], "GPU")  # TensorFlow only reads the data: the GPUs are JAX's
    else:
        enable_memory_growth()
    chosen = auto_precision() if precision == "auto" else precision
    keras.mixed_precision.set_dtype_policy(chosen)
    jit = resolve_jit(jit_compile, chosen)
    if on_jax():
        keras.distribution.set_distribution(choose_distribution())
        return Setup(precision=chosen, jit_compile=jit)
    return Setup(precision=chosen, jit_compile=jit, strategy=choose_strategy())


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
    if on_jax():
        import jax

        devices = [str(device) for device in jax.devices()]
        distribution = choose_distribution()
        mesh = distribution.device_mesh if distribution else None
        shape = dict(zip(mesh.axis_names, mesh.shape, strict=True)) if mesh else None
        parallel = f"DataParallel over a device mesh {shape}" if mesh else "none (one device)"
        where = {"processes": f"{jax.process_count()} (this one: {jax.process_index()})", "distribution": parallel}
    else:
        strategy = choose_strategy()
        devices = [f"{device.device_type}:{device.name}" for device in tf.config.list_logical_devices()]
        where = {"strategy": f"{type(strategy).__name__} ({strategy.num_replicas_in_sync} replica(s))"}
    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "keras backend": keras.backend.backend(),
        **installed_versions(LIBRARIES),
        "devices": ", ".join(devices),
        **where,
        "precision": f"{chosen} (config: {precision})",
        "xla (jit_compile)": f"{resolve_jit(jit_compile, chosen)} (config: {jit_compile})",
        "bf16 matmul instructions": str(cpu_has_fast_bf16()),
    }
