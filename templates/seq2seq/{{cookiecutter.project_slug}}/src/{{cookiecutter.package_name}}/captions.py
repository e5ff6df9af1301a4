"""Generated captioned pictures: sample data for image captioning where attention matters.

Each picture holds one or two filled shapes in named colours on a textured background; its caption says
which shapes they are and where:

    "a red circle on the left"            one shape: on the left / on the right / at the top / at the bottom /
    "a yellow star in the middle"           in the middle, by its centre
    "a blue square above a green star"    two shapes: left of / right of / above / below, first against second

Every word follows from the pixels, and no single glimpse gives them all: the decoder looks at one shape
for its colour and outline, then at the other, and compares where they are. The caption is a function of
the picture: the shape named first is the one whose colour comes first in `COLOURS` (the outline, in
`CAPTION_SHAPES` order, if the colours are the same; no picture holds two alike), so all four relations
occur. Shapes are only placed where the caption is beyond doubt: a shape on one side of the picture or
of the other shape is clear of it along that axis and at least twice as far along it as across.
"""

import math
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import ImageDraw

from .datasets.shapes import draw_shape, textured_background

# Saturated colours: the background is grey with a faint tint (its channels rarely differ by 90), so the hue
# tells a shape from it whatever the background's brightness. Fills vary by up to JITTER per channel.
COLOURS = {
    "red": (215, 40, 40),
    "green": (40, 170, 60),
    "blue": (50, 80, 230),
    "yellow": (235, 215, 45),
    "purple": (165, 55, 200),
}
CAPTION_SHAPES = ("circle", "square", "triangle", "star")  # filled outlines, unlike a ring, told apart at 64 px
POSITIONS = {"left": "on the left", "right": "on the right", "top": "at the top", "bottom": "at the bottom"}
MIDDLE_POSITION = "in the middle"
RELATIONS = {"left": "left of", "right": "right of", "top": "above", "bottom": "below"}
RADIUS_RANGE = (0.11, 0.18)  # of the image side
MIDDLE = 0.08  # a lone shape is in the middle when its centre is at most this far (of the side) from the picture's
SIDE = 0.2  # and on a side when its centre is at least this far off the picture's along that axis
GAP = 2  # pixels between two shapes along the axis their relation names
JITTER = 20


class PlacedShape(NamedTuple):
    colour: str
    kind: str
    x: float
    y: float
    radius: float


def _side(dx, dy, least):
    """ "left", "right", "top" or "bottom" for an offset (y grows downwards) at least `least` along one axis and
    at least twice as long along it as across; None when it is not clearly one of them."""
    if abs(dx) >= max(least, 2 * abs(dy)):
        return "left" if dx < 0 else "right"
    if abs(dy) >= max(least, 2 * abs(dx)):
        return "top" if dy < 0 else "bottom"
    return None


def _where(shapes, size):
    """The words saying where the shapes are ("on the left", "above"), None where they would be in doubt."""
    if len(shapes) == 1:
        dx, dy = shapes[0].x - size / 2, shapes[0].y - size / 2
        if max(abs(dx), abs(dy)) <= MIDDLE * size:
            return MIDDLE_POSITION
        return POSITIONS.get(_side(dx, dy, SIDE * size))
    first, second = shapes
    return RELATIONS.get(_side(first.x - second.x, first.y - second.y, first.radius + second.radius + GAP))


def caption(shapes, size=64):
    """The caption of one or two `PlacedShape`s, given in the order the caption names them."""
    where = _where(shapes, size)
    if where is None:
        raise ValueError(f"no caption for {shapes}: where the shapes are is in doubt")
    named = [f"a {shape.colour} {shape.kind}" for shape in shapes]
    return " ".join([named[0], where, *named[1:]])


def place_shapes(rng, size=64):
    """One or two `PlacedShape`s, in caption order, where `caption` is beyond doubt (at 16 px and up).

    A lone shape's position is drawn first, so the middle, a small area, comes up as often as each side.
    """
    count = int(rng.integers(1, 3))
    wanted = [*POSITIONS.values(), MIDDLE_POSITION][rng.integers(len(POSITIONS) + 1)] if count == 1 else None
    picks = np.sort(rng.choice(len(COLOURS) * len(CAPTION_SHAPES), count, replace=False))  # sorted: caption order
    names = [(list(COLOURS)[pick // len(CAPTION_SHAPES)], CAPTION_SHAPES[pick % len(CAPTION_SHAPES)]) for pick in picks]
    radii = rng.uniform(*RADIUS_RANGE, count) * size
    while True:
        centres = rng.uniform(radii[:, None] + 1, size - radii[:, None] - 1, (count, 2))  # whole shapes only
        shapes = [
            PlacedShape(colour, kind, float(x), float(y), float(radius))
            for (colour, kind), (x, y), radius in zip(names, centres, radii, strict=True)
        ]
        where = _where(shapes, size)
        if where is not None and wanted in (None, where):
            return shapes


def paint(rng, shapes, size=64):
    """An RGB picture of `shapes` in their named colours, turned at random, on a textured background."""
    image = textured_background(rng, size)
    draw = ImageDraw.Draw(image)
    for shape in shapes:
        fill = np.clip(np.add(COLOURS[shape.colour], rng.integers(-JITTER, JITTER + 1, 3)), 0, 255)
        draw_shape(
            draw,
            shape.kind,
            (shape.x, shape.y),
            shape.radius,
            rng.uniform(0, 2 * math.pi),
            tuple(int(channel) for channel in fill),
        )
    return image


def captioned_picture(rng, size=64):
    """`(image, caption)`: one RGB picture and the sentence that describes it."""
    shapes = place_shapes(rng, size)
    return paint(rng, shapes, size), caption(shapes, size)


def write_captioned_images(root, count=2000, size=64, seed=0):
    """Writes `root/images/picture_NNNNN.png` and `root/captions.tsv`, one `images/<name>.png<TAB>caption` per
    line (image paths relative to the TSV): the format your own captions take. Returns the TSV's path."""
    root = Path(root)
    (root / "images").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    lines = []
    for index in range(count):
        image, words = captioned_picture(rng, size)
        name = f"images/picture_{index:05d}.png"
        image.save(root / name)
        lines.append(f"{name}\t{words}\n")
    path = root / "captions.tsv"
    path.write_text("".join(lines), encoding="utf-8")
    return path
