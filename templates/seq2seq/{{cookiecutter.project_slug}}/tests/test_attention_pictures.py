"""Attention pictures: a token-by-token heat map for text, the picture lit up per word for captions."""

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.attention_pictures import attention_image, picture_attention_image


def test_a_text_heat_map_checks_its_labels_against_the_weights():
    weights = np.eye(3)[[2, 0, 1]]  # a reordering: the first output looks at the last source token
    image = attention_image(weights, ["▁may", "▁third", "▁1990"], ["1990", "05", "03"])
    assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[-1] == 3
    with pytest.raises(ValueError, match="2 target x 3 source"):
        attention_image(weights, ["a", "b", "c"], ["x", "y"])


def test_a_caption_gets_one_panel_per_word_in_rows_of_six():
    picture = np.random.default_rng(0).uniform(0, 255, (32, 32, 3))
    grid = np.zeros((7, 4, 4))
    grid[:, 0, 0] = 1.0  # every word looks at the top-left region
    one_row = picture_attention_image(picture, grid[:6], list("abcdef"))
    two_rows = picture_attention_image(picture, grid, list("abcdefg"))
    assert one_row.dtype == np.uint8 and one_row.shape[-1] == 3
    assert two_rows.shape[0] > 1.6 * one_row.shape[0] and two_rows.shape[1] == one_row.shape[1]
    with pytest.raises(ValueError, match="not 3 target tokens"):
        picture_attention_image(picture, grid, ["a", "b", "c"])
