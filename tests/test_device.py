"""What `<slug> info` reports: the versions of the libraries installed beside TensorFlow and Keras; batches as
JAX's DataParallel takes them."""

import gymnasium
import keras
import numpy as np
import tensorflow as tf
from shared.runtime.device import describe, even_batches, installed_versions


def test_installed_versions_names_only_what_is_installed_in_the_order_given():
    assert installed_versions(["no-such-distribution", "keras", "gymnasium"]) == {
        "keras": keras.__version__,
        "gymnasium": gymnasium.__version__,
    }


def test_info_lists_gymnasium_beside_tensorflow_and_keras():
    lines = describe("float32", False)
    assert lines["gymnasium"] == gymnasium.__version__
    assert list(lines)[:4] == ["python", "tensorflow", "keras", "keras backend"]
    assert lines["precision"] == "float32 (config: float32)"


def test_a_batch_two_devices_do_not_divide_is_topped_up_with_its_first_rows():
    rows = tf.data.Dataset.from_tensor_slices((np.arange(7), np.arange(7) * 10)).batch(3)
    assert [(x.tolist(), y.tolist()) for x, y in even_batches(rows, devices=2).as_numpy_iterator()] == [
        ([0, 1, 2, 0], [0, 10, 20, 0]),
        ([3, 4, 5, 3], [30, 40, 50, 30]),
        ([6, 6], [60, 60]),
    ]
    assert even_batches(rows) is rows  # TensorFlow's strategies split a batch of any size


def test_topped_up_copies_weigh_nothing_when_asked_beside_the_weights_there_are():
    pairs = tf.data.Dataset.from_tensor_slices((np.arange(3), np.arange(3) * 10)).batch(3)
    assert [w.tolist() for _, _, w in even_batches(pairs, weigh_copies=True, devices=2).as_numpy_iterator()] == [
        [1, 1, 1, 0]
    ]
    weighted = tf.data.Dataset.from_tensor_slices((np.arange(3), np.arange(3), np.array([0.5, 2.0, 1.0]))).batch(3)
    ((x, y, w),) = even_batches(weighted, weigh_copies=True, devices=4).as_numpy_iterator()
    assert x.tolist() == [0, 1, 2, 0] and w.tolist() == [0.5, 2.0, 1.0, 0.0]
