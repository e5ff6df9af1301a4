"""Every augmentation knob builds a Keras 3 layer that runs and does what its name says."""

import dataclasses

import keras
import numpy as np
import pytest
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


@pytest.mark.parametrize("knobs", [
    {"flip": "vertical"}, {"rotation": 0.2}, {"zoom": 0.3}, {"brightness": 0.5}, {"contrast": 0.5},
    {"saturation": 0.5}, {"hue": 0.5}, {"rand_augment": True},
    {"flip": "horizontal_and_vertical", "rotation": 0.05, "zoom": 0.1, "brightness": 0.1, "contrast": 0.1},
])
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
