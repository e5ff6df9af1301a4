"""Class imbalance: weights from label counts, pixel counts for segmentation, and oversampling rare classes."""

from collections import Counter

import numpy as np


def balanced_class_weights(labels, num_classes):
    """`{class: n / (k * count)}`, the weighting that makes every class count equally in the loss."""
    counts = Counter(labels)
    total = len(labels)
    return {label: total / (num_classes * counts[label]) if counts[label] else 0.0 for label in range(num_classes)}


def pixel_totals(per_image_counts):
    """`(images, classes)` pixel counts of masks -> `(pixels_per_class, image_pixels_per_class)`, two int arrays.

    `pixels_per_class[c]` counts the pixels of class c. `image_pixels_per_class[c]` adds up the pixels of
    every image in which class c appears: median-frequency balancing divides by it, so a class is rare
    only where it could have been, not because it appears in few images. Pixels a mask ignores are in
    no count, so they add nothing to their image's size either.
    """
    counts = np.asarray(per_image_counts, dtype=np.int64)
    image_sizes = counts.sum(axis=1, keepdims=True)
    return counts.sum(axis=0), np.where(counts > 0, image_sizes, 0).sum(axis=0)


def median_frequency_weights(pixels_per_class, image_pixels_per_class):
    """Median-frequency balancing (Eigen & Fergus, 2015): one loss weight per class, as a list of floats.

    `freq[c] = pixels[c] / image_pixels[c]` and `weight[c] = median(freq) / freq[c]`, the median taken over
    the classes that appear (of an even number, the mean of the middle two). Weights sit around 1: the
    median class keeps 1, rarer classes weigh more, background less. A class that never appears gets 0,
    since there is nothing of it to weigh.
    """
    pixels = np.asarray(pixels_per_class, dtype=np.float64)
    image_pixels = np.asarray(image_pixels_per_class, dtype=np.float64)
    seen = pixels > 0
    weights = np.zeros_like(pixels)
    if seen.any():  # the median of no classes is undefined: all weights stay 0
        frequency = pixels[seen] / image_pixels[seen]
        weights[seen] = np.median(frequency) / frequency
    return weights.tolist()


def repeat_factors(image_classes, num_classes, threshold):
    """Repeat-factor sampling (LVIS, Gupta et al. 2019): how often to show each image per epoch, as floats.

    `image_classes[i]` is the set of class indices in image i. With `f[c]` the fraction of images holding
    class c, `r[c] = max(1, sqrt(threshold / f[c]))`: classes in more than `threshold` of the images keep
    1, rarer ones repeat more, by the square root so a single image is not shown too often. An image's
    factor is the largest `r[c]` of its classes, 1 when it holds none.

    A factor is rarely whole: `repeat_counts` turns the factors into whole repeats, the floor plus one
    more with probability the fractional part, so the expected count is the factor. Drawn once with a
    seeded generator, the counts are reproducible and can go to `segmentation_dataset(repeats=...)`.
    """
    images_per_class = np.zeros(num_classes, dtype=np.int64)
    for classes in image_classes:
        images_per_class[list(classes)] += 1
    fraction = images_per_class / max(len(image_classes), 1)
    class_factors = np.ones(num_classes)
    seen = fraction > 0
    class_factors[seen] = np.maximum(1.0, np.sqrt(threshold / fraction[seen]))
    return [float(max((class_factors[c] for c in classes), default=1.0)) for classes in image_classes]


def repeat_counts(factors, rng):
    """Whole repeats from `repeat_factors`: floor(factor), plus 1 with probability of its fraction.

    `rng` is a `numpy.random.Generator`; the expected count is the factor itself.
    """
    factors = np.asarray(factors, dtype=np.float64)
    whole = np.floor(factors)
    extra = rng.random(len(factors)) < factors - whole
    return (whole + extra).astype(int).tolist()
