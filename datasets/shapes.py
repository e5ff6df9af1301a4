"""Generated shape images: sample data that a model really learns, and that anyone can regenerate.

Each picture holds one filled shape in a random colour, size, position and rotation on a textured
background. Drawing goes through `draw_shape`, which paints the same outline onto any PIL image, so
segmentation masks and detection boxes can be drawn from the same call.

`SHAPES` are the sample classes. `MORE_SHAPES` are further kinds, none of them a sample class: data to
pretrain on before transferring to the sample classes, or more classes for a harder task.
"""

import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SHAPES = ("circle", "square", "triangle", "cross", "star", "ring")
MORE_SHAPES = (
    "pentagon",
    "hexagon",
    "diamond",
    "four_point_star",
    "square_outline",
    "triangle_outline",
    "semicircle",
    "arrow",
)


def _polygon(center, radius, corners, rotation, inner=None):
    """Points of a regular polygon, or of a star when `inner` (the inner radius) is given."""
    points = []
    steps = corners * 2 if inner else corners
    for index in range(steps):
        angle = rotation + 2 * math.pi * index / steps
        length = inner if inner and index % 2 else radius
        points.append((center[0] + length * math.cos(angle), center[1] + length * math.sin(angle)))
    return points


def _turned(center, rotation, points):
    """`points` given around the origin, turned by `rotation` and moved to `center`."""
    cos, sin = math.cos(rotation), math.sin(rotation)
    return [(center[0] + x * cos - y * sin, center[1] + x * sin + y * cos) for x, y in points]


def draw_shape(draw, kind, center, radius, rotation, fill):
    """Paints shape `kind` centred at `center` with outer `radius` onto a `PIL.ImageDraw`."""
    x, y = center
    r = radius
    outline = max(2, int(radius * 0.35))
    if kind == "circle":
        draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)
    elif kind == "ring":
        draw.ellipse((x - r, y - r, x + r, y + r), outline=fill, width=outline)
    elif kind == "semicircle":
        start = math.degrees(rotation)
        draw.pieslice((x - r, y - r, x + r, y + r), start, start + 180, fill=fill)
    elif kind in ("triangle", "square", "pentagon", "hexagon"):
        corners = ("triangle", "square", "pentagon", "hexagon").index(kind) + 3
        draw.polygon(_polygon(center, r, corners, rotation), fill=fill)
    elif kind in ("triangle_outline", "square_outline"):
        corners = 3 if kind == "triangle_outline" else 4
        draw.polygon(_polygon(center, r, corners, rotation), outline=fill, width=outline)
    elif kind == "star":
        draw.polygon(_polygon(center, r, 5, rotation, inner=r * 0.45), fill=fill)
    elif kind == "four_point_star":
        draw.polygon(_polygon(center, r, 4, rotation, inner=r * 0.35), fill=fill)
    elif kind == "diamond":  # a rhombus: two corners at the radius, two at half of it
        draw.polygon(_polygon(center, r, 2, rotation, inner=r * 0.5), fill=fill)
    elif kind == "cross":
        arm = r * 0.33
        for turn in (0, math.pi / 2):
            draw.polygon(_turned(center, rotation + turn, [(-r, -arm), (r, -arm), (r, arm), (-r, arm)]), fill=fill)
    elif kind == "arrow":
        shaft, head = r * 0.25, r * 0.6
        draw.polygon(
            _turned(
                center, rotation, [(-r, -shaft), (0, -shaft), (0, -head), (r, 0), (0, head), (0, shaft), (-r, shaft)]
            ),
            fill=fill,
        )
    else:
        raise ValueError(f"unknown shape {kind!r}; known: {', '.join(SHAPES + MORE_SHAPES)}")


def textured_background(rng, size):
    """Smooth random colour blobs plus fine noise: enough texture that colour alone does not tell the class."""
    coarse = rng.integers(0, 256, size=(4, 4, 3), dtype=np.uint8)
    image = Image.fromarray(coarse).resize((size, size), Image.BICUBIC)
    base = rng.uniform(40, 215)
    noise = rng.normal(0, 6, size=(size, size, 3))
    pixels = np.asarray(image, dtype=np.float32) * 0.35 + (base - 0.35 * 127.5) + noise
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.5))


def contrasting_colour(rng, background, gap=80):
    """A random colour at least `gap` brighter or darker than the background, so the outline is visible."""
    backdrop = float(np.asarray(background, dtype=np.float32).mean())
    low, high = (backdrop + gap, 255) if backdrop < 128 else (0, backdrop - gap)
    return tuple(int(c) for c in rng.uniform(low, high, size=3))


def shape_picture(rng, kind, size=64):
    """One RGB picture of `kind` on a textured background."""
    image = textured_background(rng, size)
    radius = rng.uniform(0.22, 0.4) * size
    margin = radius + 1
    center = (rng.uniform(margin, size - margin), rng.uniform(margin, size - margin))
    colour = contrasting_colour(rng, image)
    draw_shape(ImageDraw.Draw(image), kind, center, radius, rng.uniform(0, 2 * math.pi), colour)
    return image


def write_shape_folders(root, per_class=60, size=64, shapes=SHAPES, seed=0):
    """Writes `root/<shape>/<shape>_NNN.png`, the folder-per-class layout. Returns the class names."""
    root = Path(root)
    rng = np.random.default_rng(seed)
    for kind in shapes:
        folder = root / kind
        folder.mkdir(parents=True, exist_ok=True)
        for index in range(per_class):
            shape_picture(rng, kind, size).save(folder / f"{kind}_{index:03d}.png")
    return list(shapes)
