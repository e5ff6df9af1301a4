"""Segmentation sample scenes, median-frequency class weights and repeat-factor oversampling."""

import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from shared.datasets.balance import (
    median_frequency_weights,
    pixel_class_counts,
    pixel_totals,
    repeat_counts,
    repeat_factors,
)
from shared.datasets.mask_files import MaskEncoding, read_pairs, scan_masks
from shared.datasets.scenes import SCENE_CLASSES, scene_picture, write_scene_folders


def scenes(count, size, seed=0):
    rng = np.random.default_rng(seed)
    return [tuple(np.asarray(picture) for picture in scene_picture(rng, size)) for _ in range(count)]


def test_scene_folders_are_reproducible_index_masks_the_reader_accepts(tmp_path):
    names = write_scene_folders(tmp_path / "first", count=6, size=48, seed=4)
    write_scene_folders(tmp_path / "second", count=6, size=48, seed=4)
    write_scene_folders(tmp_path / "other", count=6, size=48, seed=5)
    assert names == list(SCENE_CLASSES)
    images, masks = read_pairs(tmp_path / "first" / "images", tmp_path / "first" / "masks")
    assert len(images) == 6 and images[0].endswith("images/scene_000.png") and masks[0].endswith("masks/scene_000.png")
    for path in map(Path, images + masks):
        assert (tmp_path / "second" / path.parent.name / path.name).read_bytes() == path.read_bytes(), path
    assert (tmp_path / "other" / "masks" / "scene_000.png").read_bytes() != Path(masks[0]).read_bytes()
    for path in masks:
        with Image.open(path) as mask:
            assert mask.mode == "L" and mask.size == (48, 48)
            assert set(np.unique(np.asarray(mask))) <= set(range(len(SCENE_CLASSES)))
    # the segmentation reader finds nothing to complain about, and counts what pixel_class_counts counts
    per_image = scan_masks(images, masks, MaskEncoding(values=tuple(range(len(SCENE_CLASSES)))))
    pixels, image_pixels = pixel_class_counts((np.asarray(Image.open(path)) for path in masks), len(SCENE_CLASSES))
    from_scan = pixel_totals(per_image)
    assert from_scan[0].tolist() == pixels.tolist() and from_scan[1].tolist() == image_pixels.tolist()


def test_background_dominates_and_every_shape_class_appears():
    masks = [mask for _, mask in scenes(40, 64)]
    background = np.mean([(mask == 0).mean() for mask in masks[:20]])
    assert 0.6 <= background <= 0.95, background
    assert set(np.unique(np.stack(masks))) == set(range(len(SCENE_CLASSES)))
    assert all((mask > 0).any() for mask in masks)  # one to three shapes: never an empty scene


def test_mask_marks_exactly_the_painted_pixels():
    # Shapes are painted at least 80 levels brighter or darker than the background's mean, and the texture
    # stays within about 50 of it (52 at most over 400 scenes): a threshold between the two finds every
    # shape pixel, and the mask must mark exactly those, with no offset and no blended edge.
    for image, mask in scenes(40, 64, seed=1):
        brightness = image.astype(np.float32).mean(axis=-1)
        painted = np.abs(brightness - brightness[mask == 0].mean()) > 68
        assert np.array_equal(painted, mask > 0)


def test_pixel_counts_and_median_frequency_weights_by_hand():
    # 4 classes, 255 ignored.       image A: [[0, 0], [1, 255]]    image B: [[0, 2], [2, 2]]
    # pixels per class:              class 0: 2 + 1 = 3, class 1: 1, class 2: 3, class 3: 0
    # pixels of images holding it:   class 0: 3 + 4 = 7 (A's ignored pixel counts nowhere), class 1: 3, class 2: 4
    # frequency:                     3/7, 1/3, 3/4; median 3/7
    # weight = median / frequency:   1, (3/7) / (1/3) = 9/7, (3/7) / (3/4) = 4/7, and 0 for class 3, never seen
    masks = [np.array([[0, 0], [1, 255]], dtype=np.uint8), np.array([[0, 2], [2, 2]], dtype=np.uint8)]
    pixels, image_pixels = pixel_class_counts(masks, 4, ignore_value=255)
    assert pixels.tolist() == [3, 1, 3, 0]
    assert image_pixels.tolist() == [7, 3, 4, 0]
    assert median_frequency_weights(pixels, image_pixels) == pytest.approx([1.0, 9 / 7, 4 / 7, 0.0])
    assert median_frequency_weights([0, 0], [0, 0]) == [0.0, 0.0]
    with pytest.raises(ValueError, match=r"0\.\.3 or be the ignore value; found \[255\]"):
        pixel_class_counts(masks, 4)


def test_repeat_factors_by_hand_and_counts_that_average_to_them():
    # 10 images, threshold 0.5.  class 1 in 1 image: sqrt(0.5 / 0.1) = sqrt(5)
    # class 2 in 5 images: sqrt(0.5 / 0.5) = 1.   class 3 in 4 images: sqrt(0.5 / 0.4) = sqrt(1.25)
    # class 0 in 9 images: below 1, so 1.         image 9 holds no class (all ignored): 1
    image_classes = [{0, 1, 2}] + [{0, 2}] * 4 + [{0, 3}] * 4 + [set()]
    factors = repeat_factors(image_classes, 4, threshold=0.5)
    assert factors == pytest.approx([math.sqrt(5)] + [1.0] * 4 + [math.sqrt(1.25)] * 4 + [1.0])

    rng = np.random.default_rng(0)
    draws = np.array([repeat_counts(factors, rng) for _ in range(4000)])
    assert draws.dtype.kind == "i"
    assert np.all(draws >= np.floor(factors)) and np.all(draws <= np.floor(factors) + 1)
    assert draws.mean(axis=0) == pytest.approx(factors, abs=0.03)
    assert np.all(draws[:, 1:5] == 1)  # a whole factor is never rounded up
    generator_a, generator_b = np.random.default_rng(7), np.random.default_rng(7)
    assert repeat_counts(factors, generator_a) == repeat_counts(factors, generator_b)


def test_shapes_stay_apart_so_each_outline_is_visible():
    # Apart, each shape is one blob of one class: no mask pixel of a shape touches a pixel of another class
    # except background (neighbours compared right and down).
    for _, mask in scenes(40, 64, seed=2):
        for here, neighbour in ((mask[:, :-1], mask[:, 1:]), (mask[:-1, :], mask[1:, :])):
            assert not ((here > 0) & (neighbour > 0) & (here != neighbour)).any()
