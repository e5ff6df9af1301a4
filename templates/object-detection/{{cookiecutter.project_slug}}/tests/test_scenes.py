"""Detection sample scenes: reproducible, boxes exact to the pixel, shapes of many sizes, some overlapping."""

import numpy as np

from {{ cookiecutter.package_name }} import masks
from {{ cookiecutter.package_name }}.box_files import read_boxes
from {{ cookiecutter.package_name }}.scenes import SCENE_CLASSES, paint_scene, scene_picture, write_sample_scenes


def pictures(count, size=128, seed=0):
    rng = np.random.default_rng(seed)
    return [scene_picture(rng, size) for _ in range(count)]


def all_boxes(count, size=128, seed=0):
    return np.concatenate([boxes for _, boxes, _ in pictures(count, size, seed)])


def test_objects_mark_exactly_the_painted_pixels_one_colour_each():
    # Shapes are painted at least 80 levels brighter or darker than the background's mean, and the texture stays
    # within about 52 of it: a threshold between the two finds every shape pixel
    rng = np.random.default_rng(1)
    for _ in range(30):
        image, objects, labels = paint_scene(rng, 96)
        pixels = np.asarray(image)
        brightness = pixels.astype(np.float32).mean(axis=-1)
        painted = np.abs(brightness - brightness[objects < 0].mean()) > 68
        assert np.array_equal(painted, objects >= 0)
        assert 1 <= len(labels) <= 6 and set(np.unique(objects)) == {-1, *range(len(labels))}
        assert set(labels.tolist()) <= set(range(len(SCENE_CLASSES)))
        for index in range(len(labels)):
            assert len(np.unique(pixels[objects == index], axis=0)) == 1


def test_each_box_is_the_tight_box_of_its_objects_pixels():
    for seed in range(3):
        image, objects, labels = paint_scene(np.random.default_rng(seed))
        again, boxes, same_labels = scene_picture(np.random.default_rng(seed))
        assert np.array_equal(np.asarray(again), np.asarray(image)) and np.array_equal(same_labels, labels)
        assert boxes.dtype == np.float32 and boxes.shape == (len(labels), 4)
        for index, (x_min, y_min, x_max, y_max) in enumerate(boxes.astype(int)):
            inside = objects[y_min:y_max, x_min:x_max] == index
            assert inside.sum() == (objects == index).sum()  # every pixel of the object is in its box
            # and each edge row and column of the box holds one: no box could be smaller
            assert inside[0].any() and inside[-1].any() and inside[:, 0].any() and inside[:, -1].any()


def test_sizes_and_aspect_ratios_vary_and_small_objects_exist():
    boxes = all_boxes(40)
    width, height = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    longest = np.maximum(width, height)
    assert (longest < 16).sum() >= 10 and (longest >= 40).sum() >= 10 and longest.max() <= 0.45 * 128 + 1
    ratio = width / height
    assert (ratio <= 0.75).sum() >= 10 and (ratio >= 1.35).sum() >= 10


def test_some_objects_overlap_but_stay_mostly_visible():
    overlapping = 0
    for _, boxes, _ in pictures(40, seed=2):
        for first in range(len(boxes)):
            for second in range(first + 1, len(boxes)):
                top_left = np.maximum(boxes[first, :2], boxes[second, :2])
                bottom_right = np.minimum(boxes[first, 2:], boxes[second, 2:])
                overlapping += bool((bottom_right > top_left).all())
    assert overlapping >= 10
    rng = np.random.default_rng(3)
    for _ in range(20):
        _, objects, labels = paint_scene(rng)
        # an 8 x 8 star, the smallest shape, has about 21 pixels, and no shape loses more than 30 % of them
        assert np.bincount(objects[objects >= 0]).min() >= 14


def test_sample_scenes_are_reproducible_and_read_back_as_coco(tmp_path):
    names = write_sample_scenes(tmp_path / "first", count=6, size=[48, 64], seed=4)
    write_sample_scenes(tmp_path / "second", count=6, size=[48, 64], seed=4)
    assert names == list(SCENE_CLASSES)
    for path in sorted((tmp_path / "first").rglob("*.*")):
        assert (tmp_path / "second" / path.relative_to(tmp_path / "first")).read_bytes() == path.read_bytes(), path
    dataset = read_boxes(tmp_path / "first" / "images", tmp_path / "first" / "annotations.json")
    assert dataset.format == "coco" and dataset.classes == names
    assert [image.path.name for image in dataset.images] == [f"scene_{index:03d}.png" for index in range(6)]
    assert {image.width for image in dataset.images} == {48, 64}  # mixed sizes, each square
    rng = np.random.default_rng(4)
    for image in dataset.images:
        side = int(rng.choice([48, 64]))
        _, boxes, labels = scene_picture(rng, side)
        assert (image.width, image.height) == (side, side)
        assert np.array_equal(image.boxes, boxes) and np.array_equal(image.labels, labels)
    assert (dataset.clipped, dataset.dropped) == (0, 0)


def test_sample_scenes_carry_each_shapes_visible_pixels_as_its_mask(tmp_path):
    write_sample_scenes(tmp_path, count=4, size=64, seed=2)
    dataset = read_boxes(tmp_path / "images", tmp_path / "annotations.json", masks=True)
    rng = np.random.default_rng(2)
    for image in dataset.images:
        _, objects, _ = paint_scene(rng, 64)
        assert len(image.masks) == len(image.boxes) > 0
        for number, rle in enumerate(image.masks):
            np.testing.assert_array_equal(masks.decode(rle), objects == number)
            rows, columns = np.nonzero(objects == number)
            assert image.boxes[number].tolist() == [columns.min(), rows.min(), columns.max() + 1, rows.max() + 1]
