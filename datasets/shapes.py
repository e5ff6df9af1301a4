"""Generated shape images: sample data that a model really learns, and that anyone can regenerate.

Each picture holds one filled shape in a random colour, size, position and rotation on a textured
background. Drawing goes through `draw_shape`, which paints the same outline onto any PIL image, so
segmentation masks and detection boxes can be drawn from the same call.
"""

import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SHAPES = ("circle", "square", "triangle", "cross", "star", "ring")


def _polygon(center, radius, corners, rotation, inner=None):
    """Points of a regular polygon, or of a star when `inner` (the inner radius) is given."""
    points = []
    steps = corners * 2 if inner else corners
    for index in range(steps):
        angle = rotation + 2 * math.pi * index / steps
        length = (inner if inner and index % 2 else radius)
        points.append((center[0] + length * math.cos(angle), center[1] + length * math.sin(angle)))
    return points


def draw_shape(draw, kind, center, radius, rotation, fill):
    """Paints shape `kind` centred at `center` with outer `radius` onto a `PIL.ImageDraw`."""
    x, y = center
    if kind == "circle":
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=fill)
    elif kind == "ring":
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), outline=fill, width=max(2, int(radius * 0.35)))
    elif kind == "square":
        draw.polygon(_polygon(center, radius, 4, rotation), fill=fill)
    elif kind == "triangle":
        draw.polygon(_polygon(center, radius, 3, rotation), fill=fill)
    elif kind == "star":
        draw.polygon(_polygon(center, radius, 5, rotation, inner=radius * 0.45), fill=fill)
    elif kind == "cross":
        arm = radius * 0.33
        for angle in (rotation, rotation + math.pi / 2):
            dx, dy = math.cos(angle), math.sin(angle)
            px, py = -dy * arm, dx * arm
            draw.polygon([(x - dx * radius + px, y - dy * radius + py), (x + dx * radius + px, y + dy * radius + py),
                          (x + dx * radius - px, y + dy * radius - py), (x - dx * radius - px, y - dy * radius - py)],
                         fill=fill)
    else:
        raise ValueError(f"unknown shape {kind!r}; known: {', '.join(SHAPES)}")


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
