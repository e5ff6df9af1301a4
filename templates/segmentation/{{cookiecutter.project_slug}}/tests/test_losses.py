import keras
import numpy as np
import pytest

from {{ cookiecutter.package_name }}.config import load
from {{ cookiecutter.package_name }}.losses import SegmentationLoss, build_loss, mean_iou_metric
from {{ cookiecutter.package_name }}.model import build_model, palette
from {{ cookiecutter.package_name }}.scenes import SCENE_CLASSES, scene_picture

WEIGHTS = [0.2, 1.0, 3.0]
MASK = np.array([[0, 1, 2], [2, -1, 255]]).reshape(1, 2, 3, 1)  # two pixels ignored: -1 and 255 (not a class)


def probabilities(shape, seed=0):
    logits = np.random.default_rng(seed).normal(size=shape)
    return (np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)).astype("float32")


def loss_value(terms, y_true, y_pred, class_weights=None, focal_gamma=2.0):
    loss = SegmentationLoss(terms, num_classes=y_pred.shape[-1], class_weights=class_weights, focal_gamma=focal_gamma)
    return float(loss(y_true, y_pred))


def test_weighted_cross_entropy_is_the_weighted_mean_over_known_pixels():
    y_pred = probabilities((1, 2, 3, 3))
    labels, rows = MASK.reshape(-1), y_pred.reshape(-1, 3)
    known = (labels >= 0) & (labels < 3)
    weights = np.array(WEIGHTS)[labels[known]]
    expected = -(weights * np.log(rows[known, labels[known]])).sum() / weights.sum()
    assert loss_value(["cross_entropy"], MASK, y_pred, WEIGHTS) == pytest.approx(expected, rel=1e-5)


def test_ignored_pixels_change_nothing():
    y_pred = probabilities((1, 2, 3, 3))
    changed = y_pred.copy()
    changed[0, 1, 1:] = probabilities((2, 3), seed=1)  # the two ignored pixels
    terms = ["cross_entropy", "focal", "dice"]
    assert loss_value(terms, MASK, changed, WEIGHTS) == pytest.approx(loss_value(terms, MASK, y_pred, WEIGHTS))


def test_focal_is_cross_entropy_at_gamma_zero_and_lower_above():
    y_true = np.random.default_rng(2).integers(0, 3, (2, 8, 8, 1))
    y_pred = probabilities((2, 8, 8, 3), seed=3)
    cross_entropy = loss_value(["cross_entropy"], y_true, y_pred, WEIGHTS)
    assert loss_value(["focal"], y_true, y_pred, WEIGHTS, focal_gamma=0.0) == cross_entropy
    assert loss_value(["focal"], y_true, y_pred, WEIGHTS, focal_gamma=2.0) < cross_entropy


def test_dice_is_zero_when_perfect_and_near_one_when_all_wrong():
    y_true = np.random.default_rng(4).integers(0, 3, (2, 8, 8, 1))
    perfect = np.eye(3, dtype="float32")[y_true[..., 0]]
    all_wrong = np.eye(3, dtype="float32")[(y_true[..., 0] + 1) % 3]
    assert loss_value(["dice"], y_true, perfect) == pytest.approx(0.0, abs=1e-6)
    assert loss_value(["dice"], y_true, all_wrong) > 0.98  # 1 - 1 / (|P| + |G| + 1) per class


def test_terms_add_up():
    y_true = np.random.default_rng(5).integers(-1, 3, (2, 8, 8, 1))
    y_pred = probabilities((2, 8, 8, 3), seed=6)
    singles = sum(loss_value([term], y_true, y_pred, WEIGHTS) for term in ["cross_entropy", "focal", "dice"])
    combined = loss_value(["cross_entropy", "focal", "dice"], y_true, y_pred, WEIGHTS)
    assert combined == pytest.approx(singles, rel=1e-6)


def test_config_round_trip():
    config = load("configs/default.yaml", ["loss.terms=focal+dice", "loss.focal_gamma=1.5"])
    loss = build_loss(config.loss, 3, WEIGHTS)
    assert (loss.terms, loss.focal_gamma, loss.class_weights) == (["focal", "dice"], 1.5, WEIGHTS)
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(loss))
    assert isinstance(restored, SegmentationLoss) and restored.get_config() == loss.get_config()
    y_pred = probabilities((1, 2, 3, 3))
    assert float(restored(MASK, y_pred)) == float(loss(MASK, y_pred))


def test_mean_iou_takes_masks_and_probabilities_and_skips_ignored_pixels():
    y_true = np.array([[0, 0, 1], [1, 2, -1]]).reshape(1, 2, 3, 1)
    predicted = np.array([[0, 1, 1], [1, 2, 0]])
    metric = mean_iou_metric(3)
    metric.update_state(y_true, np.eye(3, dtype="float32")[predicted][None])  # (1, 2, 3, 1) and (1, 2, 3, 3)
    # the ignored pixel's prediction counts nowhere: class 0 IoU 1/2, class 1 2/3, class 2 1/1
    assert float(metric.result()) == pytest.approx((1 / 2 + 2 / 3 + 1) / 3, rel=1e-6)


def test_a_tiny_unet_learns_generated_scenes():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    scenes = [scene_picture(rng, size=32) for _ in range(8)]
    images = np.stack([np.asarray(image, dtype="float32") for image, _ in scenes])
    masks = np.stack([np.asarray(mask, dtype="int32") for _, mask in scenes])[..., None]
    config = load("configs/default.yaml", ["model.filters=[8, 16]", "model.dropout=0.0"])
    model = build_model(config, list(SCENE_CLASSES), palette(5), image_size=32)
    model.compile(keras.optimizers.Adam(0.01), loss=build_loss(config.loss, 5), metrics=[mean_iou_metric(5)])
    losses = model.fit(images, masks, batch_size=8, epochs=40, verbose=0).history["loss"]
    assert losses[-1] < 0.7 * losses[0]
