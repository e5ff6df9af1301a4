"""Sample data to learn to draw: one filled shape per picture, six kinds of shape, one folder per kind.

Each picture is a shape of `datasets.shapes.SHAPES` in a random light colour, size, position and rotation on a
plain background of a random dark colour, drawn at four times the size and then shrunk, so its edges are
antialiased as in a photo rather than jagged. Light on dark and plain backgrounds keep the task small enough
for a generative model to learn on a CPU in minutes (a model spends its first epochs on colours, and with any
pair of colours it needed longer than that), while a judge still needs the outline, not the colour, to tell the
kinds apart. `metadata.csv` beside the folders captions each picture with its shape, size and height ("a small
star at the top"): what a model drawn from text learns from. Not left or right: training mirrors pictures at random,
and a caption is not mirrored with its picture.

    >>> write_sample_images("data/sample", per_class=500)
    '3,000 images of 6 classes (circle, square, triangle, cross, star, ring) at 32x32 in data/sample'
"""

import csv
import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from .datasets.shapes import SHAPES, draw_shape

SUPERSAMPLING = 4  # drawn this many times larger, then averaged down: antialiased edges
RADIUS = (0.25, 0.42)  # a shape's outer radius, as a share of the picture's side
DARK, LIGHT = (0, 64), (176, 256)  # the range of each channel of the background, and of the shape
SMALL, LARGE = 0.3, 0.37  # radius shares below and above which a caption calls a shape small or large
OFF_CENTRE = 0.08  # a centre this share of the side above or below the middle is at the top or the bottom


def caption(kind, radius, center):
    """Words for a shape of `kind` whose `radius` and `center` (x, y) are shares of the picture's side."""
    size = "small " if radius < SMALL else "large " if radius > LARGE else ""
    place = "at the top" if center[1] < 0.5 - OFF_CENTRE else "at the bottom" if center[1] > 0.5 + OFF_CENTRE else ""
    return f"a {size}{kind} {place or 'in the middle'}"


def sample_image(kind, size, rng):
    """One RGB picture (a `PIL.Image`) of shape `kind`, `size` pixels square, drawn with `rng`, and its caption."""
    background = tuple(int(value) for value in rng.integers(*DARK, size=3))
    colour = tuple(int(value) for value in rng.integers(*LIGHT, size=3))
    side = size * SUPERSAMPLING
    radius = rng.uniform(*RADIUS) * side
    margin = radius + SUPERSAMPLING  # a pixel of background around the shape, at the final size
    center = (rng.uniform(margin, side - margin), rng.uniform(margin, side - margin))
    image = Image.new("RGB", (side, side), background)
    draw_shape(ImageDraw.Draw(image), kind, center, radius, rng.uniform(0, 2 * math.pi), colour)
    words = caption(kind, radius / side, (center[0] / side, center[1] / side))
    return image.resize((size, size), Image.Resampling.BOX), words


def write_sample_images(directory, per_class=500, size=32, seed=0):
    """Writes `directory/<class>/<class>_NNNN.png` for each class of `SHAPES` and their captions in
    `directory/metadata.csv`; returns one line saying what.

    Picture `i` of a class depends only on `seed`, the class and `i`: asking for more pictures keeps the first ones.
    """
    directory = Path(directory)
    captions = []
    for class_index, kind in enumerate(SHAPES):
        folder = directory / kind
        folder.mkdir(parents=True, exist_ok=True)
        for index in range(per_class):
            image, words = sample_image(kind, size, np.random.default_rng([seed, class_index, index]))
            image.save(folder / f"{kind}_{index:04d}.png")
            captions.append((f"{kind}/{kind}_{index:04d}.png", words))
    with open(directory / "metadata.csv", "w", newline="", encoding="utf-8") as table:
        csv.writer(table).writerows([("file_name", "text"), *captions])
    count = per_class * len(SHAPES)
    return f"{count:,} images of {len(SHAPES)} classes ({', '.join(SHAPES)}) at {size}x{size} in {directory}"
