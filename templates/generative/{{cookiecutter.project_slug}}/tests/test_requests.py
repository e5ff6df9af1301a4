"""Requests `CLASS:SEED`: read the same way by `predict` (Python) and by the SavedModel (TensorFlow ops)."""

import pytest
import tensorflow as tf

from {{ cookiecutter.package_name }}.requests import class_table, parse, parse_tensor
from {{ cookiecutter.package_name }}.runtime.errors import UserError

CLASSES = ["circle", "square", "star"]


@pytest.mark.parametrize(
    "requests, classes, expected",
    [
        (["circle:7", "2:5", "square", "star:-3"], CLASSES, ([0, 2, 1, 2], [7, 5, 0, -3])),
        (["7", "0", "-12"], [], ([0, 0, 0], [7, 0, -12])),
    ],
)
def test_python_and_tensorflow_read_requests_alike(requests, classes, expected):
    assert parse(requests, classes) == expected
    labels, seeds = parse_tensor(tf.constant(requests), class_table(classes))
    if classes:
        assert labels.numpy().tolist() == expected[0]
    assert seeds.numpy().tolist() == expected[1]


def test_an_unknown_class_is_label_minus_one_in_the_saved_model():
    labels, _ = parse_tensor(tf.constant(["triangle:1", "7"]), class_table(CLASSES))
    assert labels.numpy().tolist() == [-1, -1]


@pytest.mark.parametrize(
    "request_, classes, message",
    [
        ("triangle:1", CLASSES, "circle, square, star"),
        ("circle:x", CLASSES, "32-bit integer"),
        ("5:1", CLASSES, "0-2"),
        ("7", CLASSES, "CLASS:SEED"),
        ("circle:1", [], "seed alone"),
        ("99999999999", [], "32-bit integer"),
    ],
)
def test_a_request_the_model_cannot_draw_is_one_clear_message(request_, classes, message):
    with pytest.raises(UserError, match=message):
        parse([request_], classes)
