import numpy as np
import pytest

from {{ cookiecutter.package_name }}.scoring import metrics_from

# true classes and the model's probabilities; argmax gives predictions 0 0 1 1 2 2
LABELS = [0, 0, 0, 1, 1, 2]
PROBABILITIES = np.array(
    [
        [0.70, 0.20, 0.10],
        [0.60, 0.10, 0.30],
        [0.30, 0.60, 0.10],
        [0.15, 0.80, 0.05],
        [0.35, 0.05, 0.60],  # true class 1 is not even in the top 2
        [0.10, 0.20, 0.70],
    ]
)


def test_metrics_match_a_hand_computation():
    metrics, matrix = metrics_from(PROBABILITIES, LABELS, ["a", "b", "c"], top_k=2)
    np.testing.assert_array_equal(matrix, [[2, 1, 0], [0, 1, 1], [0, 0, 1]])  # rows true, columns predicted
    assert metrics["accuracy"] == pytest.approx(4 / 6)
    assert metrics["top_2_accuracy"] == pytest.approx(5 / 6)
    assert [metrics[f"precision_{name}"] for name in "abc"] == pytest.approx([2 / 2, 1 / 2, 1 / 2])
    assert [metrics[f"recall_{name}"] for name in "abc"] == pytest.approx([2 / 3, 1 / 2, 1 / 1])
    assert [metrics[f"f1_{name}"] for name in "abc"] == pytest.approx([0.8, 0.5, 2 / 3])
    assert metrics["macro_f1"] == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)


def test_a_class_never_predicted_scores_zero_not_nan():
    metrics, _ = metrics_from(np.array([[0.9, 0.1], [0.8, 0.2]]), [0, 1], ["a", "b"], top_k=5)
    assert metrics["precision_b"] == 0.0 and metrics["recall_b"] == 0.0 and metrics["f1_b"] == 0.0
    assert metrics["top_2_accuracy"] == 1.0  # top_k is capped at the number of classes
