"""Sample data to learn to draw: one filled shape per picture, six kinds of shape, one folder per kind.

Each picture is a shape of `datasets.shapes.SHAPES` in a random light colour, size, position and rotation on a
plain background of a random dark colour, drawn at four times the size and then shrunk, so its edges are
antialiased as in a photo rather than jagged. Light on dark and plain backgrounds keep the task small enough
for a generative model to learn on a CPU in minutes (a model spends its first epochs on colours, and with any
pair of colours it needed longer than that), while a judge still needs the outline, not the colour, to tell the
kinds apart.

    >>> write_sample_images("data/sample", per_class=500)
    '3,000 images of 6 classes (circle, square, triangle, cross, star, ring) at 32x32 in data/sample'
"""

import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from .datasets.shapes import SHAPES, draw_shape

SUPERSAMPLING = 4  # drawn this many times larger, then averaged down: antialiased edges
RADIUS = (0.25, 0.42)  # a shape's outer radius, as a share of the picture's side
DARK, LIGHT = (0, 64), (176, 256)  # the range of each channel of the background, and of the shape


def sample_image(kind, size, rng):
    """One RGB picture (a `PIL.Image`) of shape `kind`, `size` pixels square, drawn with `rng`."""
    background = tuple(int(value) for value in rng.integers(*DARK, size=3))
    colour = tuple(int(value) for value in rng.integers(*LIGHT, size=3))
    side = size * SUPERSAMPLING
    radius = rng.uniform(*RADIUS) * side
    margin = radius + SUPERSAMPLING  # a pixel of background around the shape, at the final size
    center = (rng.uniform(margin, side - margin), rng.uniform(margin, side - margin))
    image = Image.new("RGB", (side, side), background)
    draw_shape(ImageDraw.Draw(image), kind, center, radius, rng.uniform(0, 2 * math.pi), colour)
    return image.resize((size, size), Image.Resampling.BOX)


def write_sample_images(directory, per_class=500, size=32, seed=0):
    """Writes `directory/<class>/<class>_NNNN.png` for each class of `SHAPES`; returns one line saying what.

    Picture `i` of a class depends only on `seed`, the class and `i`: asking for more pictures keeps the first ones.
    """
    directory = Path(directory)
    for class_index, kind in enumerate(SHAPES):
        folder = directory / kind
        folder.mkdir(parents=True, exist_ok=True)
        for index in range(per_class):
            rng = np.random.default_rng([seed, class_index, index])
            sample_image(kind, size, rng).save(folder / f"{kind}_{index:04d}.png")
    count = per_class * len(SHAPES)
    return f"{count:,} images of {len(SHAPES)} classes ({', '.join(SHAPES)}) at {size}x{size} in {directory}"
