"""Segmentation masks' class balance: median-frequency class weights and repeat-factor oversampling."""

import math

import numpy as np
import pytest
from shared.datasets.balance import median_frequency_weights, pixel_totals, repeat_counts, repeat_factors


def test_pixel_counts_and_median_frequency_weights_by_hand():
    # 4 classes, 255 ignored.       image A: [[0, 0], [1, 255]]    image B: [[0, 2], [2, 2]]
    # pixels per class:              class 0: 2 + 1 = 3, class 1: 1, class 2: 3, class 3: 0
    # pixels of images holding it:   class 0: 3 + 4 = 7 (A's ignored pixel counts nowhere), class 1: 3, class 2: 4
    # frequency:                     3/7, 1/3, 3/4; median 3/7
    # weight = median / frequency:   1, (3/7) / (1/3) = 9/7, (3/7) / (3/4) = 4/7, and 0 for class 3, never seen
    per_image = [[2, 1, 0, 0], [1, 0, 3, 0]]  # each mask's pixels per class, the ignored pixel in none
    pixels, image_pixels = pixel_totals(per_image)
    assert pixels.tolist() == [3, 1, 3, 0]
    assert image_pixels.tolist() == [7, 3, 4, 0]
    assert median_frequency_weights(pixels, image_pixels) == pytest.approx([1.0, 9 / 7, 4 / 7, 0.0])
    assert median_frequency_weights([0, 0], [0, 0]) == [0.0, 0.0]


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
