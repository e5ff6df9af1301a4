"""Segmentation sample scenes: reproducible, background-heavy, masks exact to the pixel, shapes apart."""

from pathlib import Path

import numpy as np
from PIL import Image

from {{ cookiecutter.package_name }}.mask_files import MaskEncoding, read_pairs, scan_masks
from {{ cookiecutter.package_name }}.scenes import SCENE_CLASSES, scene_picture, write_scene_folders


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
    # the segmentation reader finds nothing to complain about, and counts each mask's pixels per class
    per_image = scan_masks(images, masks, MaskEncoding(values=tuple(range(len(SCENE_CLASSES)))))
    by_hand = [np.bincount(np.asarray(Image.open(path)).ravel(), minlength=len(SCENE_CLASSES)) for path in masks]
    assert np.asarray(per_image).tolist() == np.asarray(by_hand).tolist()


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


def test_shapes_stay_apart_so_each_outline_is_visible():
    # Apart, each shape is one blob of one class: no mask pixel of a shape touches a pixel of another class
    # except background (neighbours compared right and down).
    for _, mask in scenes(40, 64, seed=2):
        for here, neighbour in ((mask[:, :-1], mask[:, 1:]), (mask[:-1, :], mask[1:, :])):
            assert not ((here > 0) & (neighbour > 0) & (here != neighbour)).any()
