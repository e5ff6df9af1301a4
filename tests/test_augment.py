"""Every augmentation knob builds a Keras 3 layer that runs and does what its name says."""

import dataclasses

import keras
import numpy as np
import pytest
import tensorflow as tf
from shared.datasets.augment import ImageAugmentation, batch_mixer, image_pipeline

OFF = ImageAugmentation(flip="none")


def batch(count=4, size=24):
    """Images with structure (a gradient plus a bright square) so geometric transforms change pixels."""
    rng = np.random.default_rng(0)
    images = rng.uniform(20, 200, (count, size, size, 3)).astype("float32")
    images[:, 4:12, 6:14] = 250.0
    return images


def augment(images, **knobs):
    pipeline = image_pipeline(dataclasses.replace(OFF, **knobs), seed=1)
    return keras.ops.convert_to_numpy(pipeline(images, training=True))


def test_all_off_builds_nothing():
    assert image_pipeline(OFF) is None
    assert batch_mixer(OFF) is None


def test_horizontal_flip_mirrors_or_keeps_each_image():
    images = batch(count=16)
    flipped = augment(images, flip="horizontal")
    mirrored = [np.allclose(out, image[:, ::-1]) for out, image in zip(flipped, images, strict=True)]
    kept = [np.allclose(out, image) for out, image in zip(flipped, images, strict=True)]
    assert all(m or k for m, k in zip(mirrored, kept, strict=True))
    assert any(mirrored) and any(kept)


@pytest.mark.parametrize(
    "knobs",
    [
        {"flip": "vertical"},
        {"rotation": 0.2},
        {"zoom": 0.3},
        {"brightness": 0.5},
        {"contrast": 0.5},
        {"saturation": 0.5},
        {"hue": 0.5},
        {"rand_augment": True},
        {"flip": "horizontal_and_vertical", "rotation": 0.05, "zoom": 0.1, "brightness": 0.1, "contrast": 0.1},
    ],
)
def test_each_transform_changes_images_and_keeps_shape_and_range(knobs):
    images = batch(count=8)
    out = augment(images, **knobs)
    assert out.shape == images.shape
    assert out.min() >= -1e-3 and out.max() <= 255.0 + 1e-3
    assert not np.allclose(out, images)


def constant_images(values, size=16):
    """One flat image per value, with one-hot labels: the mix of two is readable from the pixels."""
    images = np.stack([np.full((size, size, 3), value, dtype="float32") for value in values])
    return images, np.eye(len(values), dtype="float32")


def test_mixup_blends_pixels_and_labels_by_the_same_weight():
    values = np.array([0.0, 80.0, 160.0, 240.0], dtype="float32")
    images, labels = constant_images(values)
    mixer = batch_mixer(dataclasses.replace(OFF, mix="mixup", mix_alpha=0.4), seed=3)
    mixed_images, mixed_labels = (keras.ops.convert_to_numpy(t) for t in mixer(images, labels))
    np.testing.assert_allclose(mixed_labels.sum(axis=1), 1.0, rtol=1e-5)
    # each pixel is the label-weighted blend of the flat colours
    np.testing.assert_allclose(mixed_images[:, 0, 0, 0], mixed_labels @ values, rtol=1e-4, atol=1e-2)


def test_cutmix_labels_match_the_pasted_area():
    values = np.array([0.0, 80.0, 160.0, 240.0], dtype="float32")
    images, labels = constant_images(values)
    mixer = batch_mixer(dataclasses.replace(OFF, mix="cutmix"), seed=3)
    mixed_images, mixed_labels = (keras.ops.convert_to_numpy(t) for t in mixer(images, labels))
    for image, label in zip(mixed_images, mixed_labels, strict=True):
        area = np.array([(np.abs(image[..., 0] - value) < 1e-3).mean() for value in values])
        np.testing.assert_allclose(label, area, atol=1e-5)


def scenes_with_masks(count=8, size=48):
    """Masks of blocky class regions, and images painting class k in colour PALETTE[k], so alignment is checkable."""
    rng = np.random.default_rng(3)
    masks = np.zeros((count, size, size, 1), dtype="float32")
    for mask in masks:
        for k in (1, 2, 3):
            top, left = rng.integers(0, size - 16, 2)
            mask[top : top + 16, left : left + rng.integers(8, 16)] = k
    return PALETTE[masks[..., 0].astype(int)], masks


PALETTE = np.array([[30, 30, 30], [240, 40, 40], [40, 240, 40], [40, 40, 240]], dtype="float32")


@pytest.mark.parametrize(
    ("knobs", "window", "aligned"),
    [
        ({"flip": "horizontal_and_vertical"}, 3, 1.0),
        ({"rotation": 0.1}, 3, 0.999),
        ({"zoom": 0.2}, 3, 0.999),
        # chained, the image is resampled twice (blurring over two pixels) and the mask may drift by one
        ({"flip": "horizontal_and_vertical", "rotation": 0.1, "zoom": 0.2}, 5, 0.995),
    ],
)
def test_geometric_transforms_move_masks_with_their_images_pixel_by_pixel(knobs, window, aligned):
    images, masks = scenes_with_masks()
    pipeline = image_pipeline(dataclasses.replace(OFF, **knobs), seed=2)
    out = pipeline({"images": images, "segmentation_masks": masks}, training=True)
    moved_images, moved_masks = (keras.ops.convert_to_numpy(out[key]) for key in ("images", "segmentation_masks"))
    assert moved_masks.shape == masks.shape and not np.array_equal(moved_masks, masks)
    assert set(np.unique(moved_masks)) <= {0, 1, 2, 3}  # nearest neighbour: no blended class values
    labels = moved_masks[..., 0].astype(int)
    # Inside a region (a pixel whose window x window neighbourhood is one class) the image must show that
    # class's colour; on region borders the image's bilinear interpolation blends colours, as it should.
    padded = np.pad(labels, ((0, 0), (window // 2,) * 2, (window // 2,) * 2), mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, (window, window), axis=(1, 2))
    inside = (windows == labels[..., None, None]).all(axis=(-1, -2))
    assert inside.mean() > 0.6
    matches = np.abs(moved_images - PALETTE[labels]).max(axis=-1) < 2
    assert matches[inside].mean() >= aligned, matches[inside].mean()


def test_colour_jitter_leaves_masks_alone():
    images, masks = scenes_with_masks()
    pipeline = image_pipeline(dataclasses.replace(OFF, brightness=0.3, contrast=0.3, hue=0.2), seed=2)
    out = pipeline({"images": images, "segmentation_masks": masks}, training=True)
    assert not np.allclose(keras.ops.convert_to_numpy(out["images"]), images)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(out["segmentation_masks"]), masks)


@pytest.mark.parametrize("mix", ["mixup", "cutmix"])
def test_augmentation_stays_float32_under_a_mixed_precision_policy(mix):
    config = ImageAugmentation(flip="horizontal", rotation=0.1, zoom=0.1, brightness=0.2, rand_augment=True, mix=mix)
    images = tf.random.uniform((4, 16, 16, 3), 0, 255, seed=0)
    labels = tf.one_hot([0, 1, 0, 1], 2)
    keras.mixed_precision.set_dtype_policy("mixed_bfloat16")
    try:
        augmented = image_pipeline(config, seed=0)(images, training=True)
        mixed, _ = batch_mixer(config, seed=0)(augmented, labels)
    finally:
        keras.mixed_precision.set_dtype_policy("float32")
    assert augmented.dtype == tf.float32 and mixed.dtype == tf.float32
