import math

import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }} import data
from {{ cookiecutter.package_name }}.config import load
from {{ cookiecutter.package_name }}.runtime.errors import UserError


def config_for(directory, *overrides):
    return load("configs/default.yaml", [f"data.images_dir={directory}/images", f"data.masks_dir={directory}/masks",
                                         "data.batch_size=4", *overrides])


def test_split_counts_pixels_and_batches_images_with_masks(sample_dir):
    config = config_for(sample_dir)
    splits = data.read_splits(config.data, seed=0)
    assert (len(splits.train_images), len(splits.val_images)) == (19, 5)
    assert not set(splits.train_images) & set(splits.val_images)
    first = np.asarray(Image.open(splits.train_masks[0]))
    np.testing.assert_array_equal(splits.train_pixels[0], np.bincount(first.ravel(), minlength=5))
    batches = data.training_batches(config, splits, size=32)
    images, masks = next(iter(batches.val))
    assert images.shape == (4, 32, 32, 3) and masks.shape == (4, 32, 32, 1) and masks.dtype.name == "int32"
    assert set(np.unique(masks.numpy())) <= set(range(5))
    assert sum(int(batch[0].shape[0]) for batch in batches.train) == sum(data.repeats(config, splits))
    assert batches.loss_class_weights == data.class_weights(config, splits) and batches.class_weight is None


def test_images_with_a_rare_class_are_shown_more_often(sample_dir):
    # Repeat factors (LVIS): a class in a fraction f of the images repeats by max(1, sqrt(threshold / f)); an
    # image by its rarest class's factor, drawn as the floor or the ceiling of it.
    config = config_for(sample_dir, "data.oversample_threshold=0.9")
    splits = data.read_splits(config.data, seed=0)
    holds_class = splits.train_pixels > 0
    fraction = holds_class.mean(axis=0)
    factors = [max(max(1.0, math.sqrt(0.9 / fraction[c])) for c in np.flatnonzero(row)) for row in holds_class]
    counts = data.repeats(config, splits)
    for count, factor in zip(counts, factors, strict=True):
        assert math.floor(factor) <= count <= math.ceil(factor)
    rarest = int(np.argmin(fraction))
    assert fraction[rarest] < 0.5 and max(factors) == pytest.approx(math.sqrt(0.9 / fraction[rarest]))
    assert sum(counts) > len(counts)
    assert data.repeats(load("configs/default.yaml", ["data.oversample=none"]), splits) is None


def test_median_frequency_weights_come_from_the_training_masks(sample_dir):
    config = config_for(sample_dir)
    splits = data.read_splits(config.data, seed=0)
    weights = data.class_weights(config, splits)
    assert weights[0] < 0.5 < min(weights[1:])  # background, the most frequent class, weighs least
    assert sorted(weights)[2] == pytest.approx(1.0)  # the median class keeps 1 (five classes, all present)
    assert data.class_weights(config_for(sample_dir, "loss.class_weights=none"), splits) is None


def test_a_mask_with_a_value_outside_the_classes_is_named(sample_dir, tmp_path):
    for folder in ("images", "masks"):
        (tmp_path / folder).mkdir()
        for path in sorted((sample_dir / folder).iterdir())[:3]:
            (tmp_path / folder / path.name).write_bytes(path.read_bytes())
    bad = sorted((tmp_path / "masks").iterdir())[1]
    Image.fromarray(np.full((32, 32), 9, dtype=np.uint8)).save(bad)
    with pytest.raises(UserError, match=rf"{bad.name} has 9; add them to data.classes or set data.ignore_value"):
        data.read_splits(config_for(tmp_path).data, seed=0)


def test_auto_image_size_is_the_median_picture_size_rounded_to_32(sample_dir):
    config = config_for(sample_dir)
    assert data.image_size(config.data, data.read_splits(config.data, 0).train_images) == 32  # the 32-pixel scenes
    assert data.image_size(load("configs/default.yaml", ["data.image_size=96"]).data, []) == 96
