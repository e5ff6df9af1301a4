"""Silences TensorFlow's start-up noise, which must happen before TensorFlow is imported, and other C++ logs.

TensorFlow writes CUDA-not-found and oneDNN notices from C++ before its logging is configured, so
only pointing file descriptor 2 elsewhere during the import hides them; `native_logs_hidden` does the same
around a call whose C++ library logs on its own. `--verbose` skips all this.
"""

import contextlib
import logging
import os
import sys
import warnings


@contextlib.contextmanager
def _stderr_to_devnull():
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_tensorflow(verbose=False):
    """Imports TensorFlow and Keras, quietly unless `verbose`."""
    if verbose:
        import keras  # noqa: F401
        import tensorflow  # noqa: F401

        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with _stderr_to_devnull():
        import keras  # noqa: F401
        import tensorflow as tf

    tf.get_logger().setLevel(logging.ERROR)
    logging.getLogger("absl").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="keras")


@contextlib.contextmanager
def native_logs_hidden():
    """Hides what C++ code writes to stderr inside the block, unless TensorFlow's own C++ logs are on
    (TF_CPP_MIN_LOG_LEVEL unset or 0, as under `--verbose`). TensorFlow Text's SentencePiece prints a `LOG(INFO)`
    line as it loads a model, with no setting of its own for it: `sentencepiece.set_min_log_level` reaches only
    the `sentencepiece` package's copy of the library."""
    if os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0") == "0":
        yield
        return
    with _stderr_to_devnull():
        yield
