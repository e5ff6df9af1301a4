"""The sample data: six folders of small PNGs, the same for a seed, with shapes that tell their class apart, and
captions that say what each picture shows."""

import csv

import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }}.datasets.shapes import SHAPES
from {{ cookiecutter.package_name }}.sample_images import write_sample_images


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("sample")
    write_sample_images(directory, per_class=40, size=32, seed=0)
    return directory


def pixels(path):
    with Image.open(path) as image:
        return np.asarray(image, dtype=np.float32)


def test_one_folder_per_shape_of_rgb_pictures_and_a_line_that_says_so(tmp_path):
    line = write_sample_images(tmp_path, per_class=3, size=24, seed=0)
    assert line == f"18 images of 6 classes (circle, square, triangle, cross, star, ring) at 24x24 in {tmp_path}"
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([*SHAPES, "metadata.csv"])
    assert sorted(path.name for path in (tmp_path / "star").iterdir()) == [f"star_{i:04d}.png" for i in range(3)]
    with Image.open(tmp_path / "ring" / "ring_0002.png") as image:
        assert (image.mode, image.size) == ("RGB", (24, 24))


def test_a_seed_draws_the_same_pictures_and_more_pictures_keep_the_first(tmp_path, sample_dir):
    write_sample_images(tmp_path / "again", per_class=41, size=32, seed=0)
    write_sample_images(tmp_path / "other", per_class=1, size=32, seed=1)
    first = sample_dir / "cross" / "cross_0000.png"
    assert np.array_equal(pixels(first), pixels(tmp_path / "again" / "cross" / "cross_0000.png"))
    assert not np.array_equal(pixels(first), pixels(tmp_path / "other" / "cross" / "cross_0000.png"))


def test_each_light_shape_stands_out_from_a_plain_dark_background(sample_dir):
    for path in sorted(sample_dir.glob("*/*.png")):
        image = pixels(path)
        background = image[0, 0]
        corners = image[[0, 0, -1, -1], [0, -1, 0, -1]]
        assert np.array_equal(corners, np.tile(background, (4, 1))), path
        assert background.max() < 64 and image.max(axis=-1).max() >= 176, path


def spread(image):
    """How far from its centre a shape's mass lies: the mean squared distance over the largest, 0 to 1."""
    background = image[0, 0]
    weight = np.abs(image - background).sum(axis=-1)
    weight /= weight.max()  # 1 inside the shape, between 0 and 1 on its antialiased edge
    rows, columns = np.indices(weight.shape)
    centre_row, centre_column = (rows * weight).sum() / weight.sum(), (columns * weight).sum() / weight.sum()
    squared = (rows - centre_row) ** 2 + (columns - centre_column) ** 2
    return float((weight * squared).sum() / weight.sum() / squared[weight > 0.5].max())


def test_the_classes_differ_in_shape_not_only_in_their_labels(sample_dir):
    # Whatever the size, position, rotation and colours: a ring holds its mass at the rim, a disc's spread is 1/2,
    # a square's 1/3, a triangle's 1/4; a cross reaches further than a square, a star's points further than a
    # triangle's. The medians over 40 pictures keep that order.
    medians = {
        kind: np.median([spread(pixels(path)) for path in sorted((sample_dir / kind).glob("*.png"))]) for kind in SHAPES
    }
    assert sorted(medians, key=medians.get, reverse=True) == ["ring", "circle", "cross", "square", "star", "triangle"]
    assert medians["circle"] == pytest.approx(0.5, abs=0.02)


def test_captions_say_the_shape_its_size_and_its_height(sample_dir):
    with open(sample_dir / "metadata.csv", newline="", encoding="utf-8") as table:
        rows = list(csv.DictReader(table))
    assert len(rows) == 6 * 40 and rows[0]["file_name"] == "circle/circle_0000.png"
    areas = {"small": [], "large": []}
    for row in rows:
        image = pixels(sample_dir / row["file_name"])
        kind = row["file_name"].split("/")[0]
        assert row["text"].startswith(("a small " + kind, "a large " + kind, "a " + kind)), row
        shape = np.abs(image - image[0, 0]).sum(axis=-1) > 60
        rows_, columns = np.nonzero(shape)
        if "top" in row["text"]:
            assert rows_.mean() < 16, row
        if "bottom" in row["text"]:
            assert rows_.mean() > 16, row
        assert "left" not in row["text"] and "right" not in row["text"]  # true of a mirrored picture too
        for size in areas:
            if f" {size} " in row["text"] and kind == "circle":
                areas[size].append(shape.mean())
    assert max(areas["small"]) < min(areas["large"])
