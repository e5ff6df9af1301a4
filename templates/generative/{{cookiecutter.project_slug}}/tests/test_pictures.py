"""The sample grid: a row per class in class order, each sample enlarged to be seen."""

import numpy as np

from {{ cookiecutter.package_name }}.pictures import COLUMNS, TILE, grid_picture


def test_each_class_gets_its_row_and_each_sample_its_tile():
    labels = np.array([0, 1, 2, 0, 1, 2])
    pixels = np.stack([np.full((32, 32, 3), 10 * (index + 1), np.uint8) for index in range(6)])
    grid = grid_picture(pixels, labels, ["circle", "square", "star"])
    assert grid.shape[0] == 3 * TILE and grid.shape[1] > COLUMNS * TILE
    left = grid.shape[1] - COLUMNS * TILE  # the margin with the class names
    for row, samples in enumerate([(0, 3), (1, 4), (2, 5)]):
        for column, index in enumerate(samples):
            tile = grid[row * TILE : (row + 1) * TILE, left + column * TILE : left + (column + 1) * TILE]
            assert (tile == 10 * (index + 1)).all()
        assert (grid[row * TILE : (row + 1) * TILE, left + 2 * TILE :] == 0).all(), "no third sample: left dark"


def test_grey_samples_without_classes_fill_rows_of_eight():
    pixels = np.zeros((20, 16, 16, 1), np.uint8)
    grid = grid_picture(pixels, np.zeros(20, int), [])
    assert grid.shape == (3 * TILE, COLUMNS * TILE, 3)


def test_a_long_prompt_is_written_whole_over_several_lines():
    prompt = "a small triangle at the top of the picture"  # 42 characters: 7 class names' worth
    named = grid_picture(np.zeros((2, 32, 32, 3), np.uint8), np.array([0, 1]), [prompt, "ring"])
    margin = named.shape[1] - COLUMNS * TILE
    inked = (named[:TILE, :margin] < 128).any(axis=(1, 2))  # the pixel rows the prompt's letters darken
    lines = np.count_nonzero(np.diff(inked.astype(int)) == 1) + inked[0]
    assert margin > 80 and lines >= 2, "a wider margin than class names get, and the prompt wrapped"
