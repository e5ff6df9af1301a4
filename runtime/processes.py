"""Several processes training one model, on the JAX backend: how they meet, who writes the run, how faults end.

Every process runs the same `train` command with its own process id, from the config's `distribution:` section or
from the environment variables Keras reads, which win where set (a launcher sets them per process):

    KERAS_DISTRIBUTION_JOB_ADDRESSES=10.0.0.1:7777   # process 0's host and a free port (a list: the first)
    KERAS_DISTRIBUTION_NUM_PROCESSES=2
    KERAS_DISTRIBUTION_PROCESS_ID=1                   # 0 on the coordinator's host

- Start: process 0 serves as coordinator; the others wait up to `timeout_seconds` for it to answer, then all wait
  for each other, up to `timeout_seconds` again.
- Writes: process 0 writes the run folder; every other process trains in a scratch copy of it, deleted at the end,
  so each callback and template runs unchanged everywhere. A resume needs `run.dir` on storage every process sees.
- Faults: `train` runs in a child process that this one supervises. JAX ends a process whose peer died with a C++
  abort and a page of stack; the supervisor turns it into one line naming the cause, within `heartbeat_seconds`.
"""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from . import rundir
from .errors import UserError

SUPERVISED = "KERAS_TEMPLATES_SUPERVISED"  # set in the child a supervisor starts
ENVIRONMENT = {
    "coordinator": "KERAS_DISTRIBUTION_JOB_ADDRESSES",
    "processes": "KERAS_DISTRIBUTION_NUM_PROCESSES",
    "process_id": "KERAS_DISTRIBUTION_PROCESS_ID",
}
# How a process's stderr starts a report the supervisor holds back: a Python traceback, a glog fatal or error line.
REPORT_START = re.compile(r"^(Traceback \(most recent call last\)|[FE]\d{4} \d\d:\d\d:\d\d)")


def resolved(distribution):
    """`distribution` (the config's section) with the environment's KERAS_DISTRIBUTION_* in place where set."""
    values = {}
    for key, variable in ENVIRONMENT.items():
        text = os.environ.get(variable, "").strip()
        if not text:
            continue
        if key == "coordinator":
            values[key] = text.split(",")[0].strip()
            continue
        try:
            values[key] = int(text)
        except ValueError:
            raise UserError(f"{variable}={text!r}: expected a whole number") from None
    chosen = type(distribution)(**{**vars(distribution), **values})
    try:
        chosen.validate()
    except ValueError as error:
        raise UserError(f"{error} (config, or {', '.join(ENVIRONMENT.values())})") from None
    return chosen


def check(distribution, run_name):
    """The settings that several processes need, before anything starts."""
    if distribution.processes == 1:
        return
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    if backend != "jax":
        raise UserError(
            f"distribution.processes is {distribution.processes}: several processes train on the JAX backend only "
            f"(keras.distribution does nothing on {backend}); set KERAS_BACKEND=jax on every process"
        )
    if not run_name:
        raise UserError(
            f"distribution.processes is {distribution.processes}: set run.name=<name>, the same on every process, "
            f"so that they train one run"
        )


def connect(distribution):
    """Joins the processes into one JAX cluster; nothing to do for one process. A coordinator that does not answer,
    or a port already taken, is a `UserError`; peers that do not all start in time end in the supervisor's line."""
    if distribution.processes == 1:
        return
    host, port = split_address(distribution.coordinator)
    if distribution.process_id == 0:
        with socket.socket() as probe:
            try:
                probe.bind(("", port))
            except OSError as error:
                raise UserError(
                    f"distribution.coordinator {distribution.coordinator}: port {port} cannot be served here "
                    f"({error.strerror}); choose a free port, the same for every process"
                ) from None
    else:
        wait_for(host, port, distribution)
    import jax

    jax.distributed.initialize(
        coordinator_address=distribution.coordinator,
        num_processes=distribution.processes,
        process_id=distribution.process_id,
        initialization_timeout=distribution.timeout_seconds,
        heartbeat_timeout_seconds=distribution.heartbeat_seconds,
    )


def split_address(address):
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


def wait_for(host, port, distribution):
    """Returns once the coordinator accepts connections; a `UserError` after `timeout_seconds` without."""
    deadline = time.monotonic() + distribution.timeout_seconds
    while True:
        try:
            with socket.create_connection((host, port), timeout=5):
                return
        except OSError as error:
            if time.monotonic() > deadline:
                raise UserError(
                    f"distribution.coordinator {distribution.coordinator} did not answer within "
                    f"{distribution.timeout_seconds} s ({error.strerror or error}): start process 0 there first, "
                    f"or correct the address"
                ) from None
            time.sleep(1)


def process_index():
    """This process's index among those training the run: 0 but on JAX joined by `connect`."""
    jax = jax_or_none()
    return jax.process_index() if jax else 0


def process_count():
    """How many processes train the run: 1 but on JAX joined by `connect`."""
    jax = jax_or_none()
    return jax.process_count() if jax else 1


def jax_or_none():
    """The `jax` module on the JAX backend; None on another, where asking JAX would start its runtime beside
    TensorFlow's (on GPUs, taking most of their memory)."""
    import keras

    if keras.backend.backend() != "jax":
        return None
    import jax

    return jax


@contextlib.contextmanager
def run_folder(runs_root, config_dict, name=None):
    """Yields `(run, resumed)` as `rundir.run_folder` does. With several processes, process 0 makes or resumes the
    run; each other process gets a scratch copy of it, after all have checked they see the same checkpoint."""
    if process_count() == 1:
        with rundir.run_folder(runs_root, config_dict, name) as found:
            yield found
        return
    from jax.experimental import multihost_utils

    from ..callbacks import checkpoint

    if process_index() == 0:
        with rundir.run_folder(runs_root, config_dict, name) as (run, resumed):
            multihost_utils.sync_global_devices("run folder ready")
            agree_on_epochs(epochs_in(checkpoint, run), runs_root, name)
            yield run, resumed
        return
    multihost_utils.sync_global_devices("run folder ready")
    shared = rundir.Run(os.path.join(runs_root, name))
    epochs = epochs_in(checkpoint, shared)
    agree_on_epochs(epochs, runs_root, name)
    scratch = rundir.Run(os.path.join(tempfile.mkdtemp(prefix=f"process{process_index()}-"), name))
    print(
        f"process {process_index()} of {process_count()}: process 0 writes the run folder {shared.path}; this one "
        f"writes a scratch copy, {scratch.path}, deleted at its end",
        flush=True,
    )
    try:
        if shared.checkpoints.is_dir():
            shutil.copytree(shared.checkpoints, scratch.checkpoints)
        scratch.logs.mkdir(parents=True, exist_ok=True)
        scratch.checkpoints.mkdir(exist_ok=True)
        if shared.config_file.is_file():
            shutil.copy(shared.config_file, scratch.config_file)
        yield scratch, epochs > 0
    finally:
        shutil.rmtree(scratch.path.parent, ignore_errors=True)


def epochs_in(checkpoint, run):
    state = checkpoint.resume_state(run.checkpoints) if run.checkpoints.is_dir() else None
    return state["epochs_done"] if state else 0


def agree_on_epochs(epochs, runs_root, name):
    """Every process must resume from the same epoch; one that sees another checkpoint than process 0 does (its
    `run.dir` is not the same storage) ends every process in one line."""
    import numpy as np
    from jax.experimental import multihost_utils

    seen = np.asarray(multihost_utils.process_allgather(np.array([epochs]))).reshape(-1)
    if len(set(seen.tolist())) > 1:
        views = ", ".join(f"process {index}: epoch {int(count)}" for index, count in enumerate(seen))
        raise UserError(
            f"the processes see different checkpoints of {os.path.join(runs_root, name)} ({views}): put run.dir on "
            f"storage every process mounts"
        )


def same_as_process_0(variables):
    """Sets each of `variables` to process 0's value: for state that each process computes outside the train step
    from its own batches (BatchNorm's re-estimated statistics), whose random augmentation differs a little between
    processes. Nothing for one process."""
    if process_count() == 1:
        return
    import numpy as np
    from jax.experimental import multihost_utils

    local = [np.asarray(variable.value.addressable_data(0)) for variable in variables]
    for variable, value in zip(variables, multihost_utils.broadcast_one_to_all(local), strict=True):
        variable.assign(value)


def agree_on_weights(model):
    """Several processes: checks that every process ends with the same weights (a digest of each, compared), which
    DataParallel promises and a process fed other data or seeds would break; prints the digest. Nothing for one."""
    if process_count() == 1:
        return
    import hashlib

    import numpy as np
    from jax.experimental import multihost_utils

    digest = hashlib.sha256()
    for variable in model.weights:
        digest.update(np.asarray(variable.value.addressable_data(0)).tobytes())
    mine = np.frombuffer(digest.digest()[:8], dtype=np.int64)
    every = np.asarray(multihost_utils.process_allgather(mine)).reshape(-1)
    if len(set(every.tolist())) > 1:
        raise RuntimeError(f"the processes ended with different weights (digests {every.tolist()})")
    print(f"weights agree across {len(every)} processes (digest {digest.hexdigest()[:16]})", flush=True)


def supervised():
    return os.environ.get(SUPERVISED) == "1"


def supervise(command, distribution):
    """Runs `command` (this `train`, again) in a child process and returns its exit status. The child's output
    passes through, except a report it ends with (a traceback, JAX's fatal log): when that report is a known fault of
    several processes, one line naming the cause replaces it."""
    environment = {**os.environ, SUPERVISED: "1"}
    child = subprocess.Popen(
        command, stderr=subprocess.PIPE, text=True, errors="replace", env=environment, preexec_fn=die_with_parent
    )
    # A launcher's SIGTERM reaches the child; Ctrl-C reaches it anyway, as the terminal sends it to both.
    forward = lambda number, frame: child.send_signal(number)  # noqa: E731
    previous = {
        signal.SIGTERM: signal.signal(signal.SIGTERM, forward),
        signal.SIGINT: signal.signal(signal.SIGINT, signal.SIG_IGN),
    }
    held = []
    try:
        for line in child.stderr:
            if held or REPORT_START.match(line):
                held.append(line)
            else:
                sys.stderr.write(line)
                sys.stderr.flush()
        status = child.wait()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    report = "".join(held)
    cause = fault(report, distribution) if status not in (0, 2) else None
    if cause is None:
        sys.stderr.write(report)
        return status if status >= 0 else 128 - status
    print(f"error: process {distribution.process_id} of {distribution.processes}: {cause[1]}", file=sys.stderr)
    return cause[0]


def die_with_parent():
    """In the child, before it starts: on Linux, the kernel kills it when its supervisor dies, so that a `train`
    killed as a whole (a host lost, `kill -9`) leaves no training behind."""
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def fault(report, distribution):
    """`(exit status, cause)` of a known fault of several processes in a child's final report, else None."""
    if "RegisterTask" in report or "Barrier timed out" in report:
        return 2, (
            f"the {distribution.processes} processes did not all start within distribution.timeout_seconds "
            f"({distribution.timeout_seconds} s); start each process_id from 0 to {distribution.processes - 1}, "
            f"every one with coordinator {distribution.coordinator}"
        )
    lost = ("heartbeat", "distributed service detected fatal errors", "Gloo", "Connection reset by peer")
    if any(sign in report for sign in lost):
        return 1, (
            "another process of the run stopped (its own output says why), so this one stopped too; "
            "start all of them again to resume from the last checkpoint"
        )
    return None
