"""Captioned sample pictures: captions that follow from the pixels, beyond doubt, in a TSV that read_pairs reads."""

import math
import re
from collections import Counter

import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }}.captions import (
    CAPTION_SHAPES,
    COLOURS,
    MIDDLE_POSITION,
    POSITIONS,
    RELATIONS,
    PlacedShape,
    caption,
    captioned_picture,
    paint,
    place_shapes,
    write_captioned_images,
)
from {{ cookiecutter.package_name }}.datasets.shapes import SHAPES
from {{ cookiecutter.package_name }}.text_pairs import read_pairs

NAMED = f"a ({'|'.join(COLOURS)}) ({'|'.join(CAPTION_SHAPES)})"
ONE_SHAPE = re.compile(f"{NAMED} ({'|'.join([*POSITIONS.values(), MIDDLE_POSITION])})")
TWO_SHAPES = re.compile(f"{NAMED} ({'|'.join(RELATIONS.values())}) {NAMED}")
VOCABULARY = {
    "a",
    *COLOURS,
    *CAPTION_SHAPES,
    *" ".join([*POSITIONS.values(), MIDDLE_POSITION, *RELATIONS.values()]).split(),
}


def layouts(count, seed=0, size=64):
    rng = np.random.default_rng(seed)
    return [place_shapes(rng, size) for _ in range(count)]


def test_the_vocabulary_is_small_and_the_shapes_are_sample_shapes():
    assert len(VOCABULARY) == 22 and len(COLOURS) == 5 and set(CAPTION_SHAPES) <= set(SHAPES)
    assert {"left", "of", "above", "middle", "purple", "triangle"} <= VOCABULARY


@pytest.mark.parametrize(
    ("shapes", "expected"),
    [
        ([("red", "circle", 16, 32, 8), ("blue", "square", 48, 30, 8)], "a red circle left of a blue square"),
        ([("red", "star", 32, 52, 6), ("red", "square", 36, 12, 10)], "a red star below a red square"),
        ([("green", "triangle", 20, 10, 7), ("yellow", "star", 26, 40, 7)], "a green triangle above a yellow star"),
        ([("purple", "star", 12, 34, 9)], "a purple star on the left"),
        ([("yellow", "circle", 34, 29, 9)], "a yellow circle in the middle"),
        ([("blue", "square", 32, 52, 9)], "a blue square at the bottom"),
    ],
)
def test_hand_placed_shapes_get_their_caption(shapes, expected):
    assert caption([PlacedShape(*shape) for shape in shapes]) == expected


@pytest.mark.parametrize(
    "shapes",
    [
        [("red", "circle", 16, 16, 8), ("blue", "square", 44, 48, 8)],  # diagonal: left of, or above?
        [("red", "circle", 22, 32, 8), ("blue", "square", 38, 32, 8)],  # side by side, but overlapping along x
        [("red", "circle", 20, 18, 8)],  # top left corner
        [("red", "circle", 40, 32, 8)],  # neither middle nor on the right
    ],
)
def test_shapes_placed_in_doubt_have_no_caption(shapes):
    with pytest.raises(ValueError, match="in doubt"):
        caption([PlacedShape(*shape) for shape in shapes])


def test_captions_say_what_the_centres_show_and_name_shapes_in_a_fixed_order():
    # checked against the geometry directly, not through the module's own rule
    rank = {
        (colour, kind): index
        for index, (colour, kind) in enumerate((colour, kind) for colour in COLOURS for kind in CAPTION_SHAPES)
    }
    for shapes in layouts(500, seed=1):
        words = caption(shapes)
        assert set(words.split()) <= VOCABULARY, words
        for shape in shapes:
            assert shape.radius < shape.x < 64 - shape.radius and shape.radius < shape.y < 64 - shape.radius
        if len(shapes) == 1:
            colour, kind, where = ONE_SHAPE.fullmatch(words).groups()
            (shape,) = shapes
            assert (colour, kind) == (shape.colour, shape.kind)
            dx, dy = shape.x - 32, shape.y - 32
            if where == MIDDLE_POSITION:
                assert max(abs(dx), abs(dy)) <= 0.08 * 64, (words, shape)
            else:
                along, across = {"left": (-dx, dy), "right": (dx, dy), "top": (-dy, dx), "bottom": (dy, dx)}[
                    where.split()[-1]
                ]
                assert along >= 0.2 * 64 and along >= 2 * abs(across), (words, shape)
            continue
        first_colour, first_kind, relation, second_colour, second_kind = TWO_SHAPES.fullmatch(words).groups()
        first, second = shapes
        assert (first_colour, first_kind, second_colour, second_kind) == (
            first.colour,
            first.kind,
            second.colour,
            second.kind,
        )
        assert rank[first_colour, first_kind] < rank[second_colour, second_kind]
        dx, dy = first.x - second.x, first.y - second.y
        along, across = {"left of": (-dx, dy), "right of": (dx, dy), "above": (-dy, dx), "below": (dy, dx)}[relation]
        # clear of each other along the named axis, and at least twice as far apart along it as across
        assert along > first.radius + second.radius and along >= 2 * abs(across), (words, shapes)
        assert math.hypot(dx, dy) > first.radius + second.radius


def test_relations_positions_colours_and_shapes_are_balanced():
    shapes = layouts(500, seed=2)
    wheres = Counter(re.sub(NAMED, "", caption(picture)).strip() for picture in shapes)
    assert set(wheres) == {*POSITIONS.values(), MIDDLE_POSITION, *RELATIONS.values()}
    counts = Counter(len(picture) for picture in shapes)
    assert 0.4 < counts[1] / 500 < 0.6
    for where, seen in wheres.items():
        expected = 500 / 2 / (len(RELATIONS) if where in RELATIONS.values() else len(POSITIONS) + 1)
        assert 0.65 * expected < seen < 1.35 * expected, wheres
    named = [shape for picture in shapes for shape in picture]
    for attribute, values in (("colour", COLOURS), ("kind", CAPTION_SHAPES)):
        seen = Counter(getattr(shape, attribute) for shape in named)
        expected = len(named) / len(values)
        assert set(seen) == set(values) and all(0.8 * expected < n < 1.2 * expected for n in seen.values()), seen


def test_the_named_colour_fills_the_shape_centre_and_stands_out_from_the_background():
    names, references = list(COLOURS), np.array(list(COLOURS.values()), dtype=np.float32)
    rng = np.random.default_rng(3)
    for _ in range(60):
        shapes = place_shapes(rng)
        pixels = np.asarray(paint(rng, shapes), dtype=np.float32)
        rows, columns = np.mgrid[:64, :64]
        background = np.all([np.hypot(columns - shape.x, rows - shape.y) > shape.radius + 1 for shape in shapes], 0)
        for shape in shapes:
            x, y = round(shape.x), round(shape.y)
            patch = pixels[y - 1 : y + 2, x - 1 : x + 2].reshape(-1, 3)
            nearest = np.linalg.norm(patch[:, None] - references[None], axis=-1).argmin(axis=1)
            assert {names[index] for index in nearest} == {shape.colour}, shape
            assert np.linalg.norm(patch.mean(0) - pixels[background].mean(0)) > 60, shape


def test_a_captioned_picture_is_its_placed_shapes_painted_and_described():
    image, words = captioned_picture(np.random.default_rng(4), size=48)
    rng = np.random.default_rng(4)
    shapes = place_shapes(rng, 48)
    assert words == caption(shapes, 48)
    assert image.mode == "RGB" and image.size == (48, 48)
    assert np.array_equal(np.asarray(image), np.asarray(paint(rng, shapes, 48)))


def test_written_captions_are_reproducible_and_read_back(tmp_path):
    path = write_captioned_images(tmp_path / "first", count=12, size=48, seed=5)
    write_captioned_images(tmp_path / "second", count=12, size=48, seed=5)
    other = write_captioned_images(tmp_path / "other", count=12, size=48, seed=6)
    assert path == tmp_path / "first" / "captions.tsv"
    assert path.read_bytes() == (tmp_path / "second" / "captions.tsv").read_bytes() != other.read_bytes()
    images, captions = read_pairs(path)
    rng = np.random.default_rng(5)
    assert captions == [captioned_picture(rng, 48)[1] for _ in range(12)]
    assert images[0] == "images/picture_00000.png" and len(set(images)) == 12
    for name in images:
        assert (path.parent / name).read_bytes() == (tmp_path / "second" / name).read_bytes(), name
        with Image.open(path.parent / name) as image:
            assert image.mode == "RGB" and image.size == (48, 48)
