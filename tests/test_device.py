"""What `<slug> info` reports: the versions of the libraries installed beside TensorFlow and Keras."""

import gymnasium
import keras
from shared.runtime.device import describe, installed_versions


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
