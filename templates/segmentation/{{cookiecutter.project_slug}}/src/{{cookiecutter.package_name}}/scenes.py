"""Generated segmentation scenes: sample data for semantic segmentation that anyone can regenerate.

Each scene holds one to three filled shapes, apart from each other, on a textured background, and a mask
whose pixel values are class indices into `SCENE_CLASSES`. Image and mask are painted by the same
`draw_shape` call, so they agree pixel for pixel. The shapes are small, so background takes most pixels
(typically 80 to 90 %): the class imbalance real segmentation data has, which class weights and
oversampling are there to handle.
"""

import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from .datasets.shapes import contrasting_colour, draw_shape, textured_background

SCENE_CLASSES = ("background", "circle", "square", "triangle", "star")  # a mask value is an index here
MAX_SHAPES = 3
RADIUS_RANGE = (0.12, 0.25)  # of the image side: small enough that background dominates
PLACEMENT_TRIES = 20


def scene_picture(rng, size=96, classes=SCENE_CLASSES, radius_range=RADIUS_RANGE, max_shapes=MAX_SHAPES):
    """One scene: `(image, mask)`, an RGB picture and its "L" mask of indices into `classes` (0: background; the
    others name `datasets.shapes` kinds), with up to `max_shapes` shapes of a radius in `radius_range` of the side.

    Shapes do not overlap (a shape that finds no free place in a few tries is left out): painted over
    one another in similar colours, their outlines would be beyond anyone to tell apart.
    """
    background = textured_background(rng, size)
    image = background.copy()
    mask = Image.new("L", (size, size), 0)
    image_draw, mask_draw = ImageDraw.Draw(image), ImageDraw.Draw(mask)
    placed = []  # (x, y, radius) of the shapes painted so far
    for _ in range(rng.integers(1, max_shapes + 1)):
        class_index = int(rng.integers(1, len(classes)))
        radius = rng.uniform(*radius_range) * size
        margin = radius + 1  # whole shapes: one cut by the border would be a different outline
        for _ in range(PLACEMENT_TRIES):
            x, y = rng.uniform(margin, size - margin, 2)
            if all(
                math.hypot(x - other_x, y - other_y) > radius + other_radius + 2
                for other_x, other_y, other_radius in placed
            ):
                break
        else:
            continue
        placed.append((x, y, radius))
        rotation = rng.uniform(0, 2 * math.pi)
        colour = contrasting_colour(rng, background)
        kind = classes[class_index]
        draw_shape(image_draw, kind, (x, y), radius, rotation, colour)
        # ImageDraw does not antialias, so the mask holds only class indices, no blends at the edges
        draw_shape(mask_draw, kind, (x, y), radius, rotation, class_index)
    return image, mask


def write_scene_folders(root, count=200, size=96, seed=0, **scene):
    """Writes `root/images/scene_NNN.png`, `root/masks/scene_NNN.png` (index PNGs) and `root/classes.txt` (the
    class names, one per line: line N names mask value N). Returns the class names.

    `size` is every scene's side, or a list each scene draws its side from; `scene` goes to `scene_picture`."""
    classes = scene.get("classes", SCENE_CLASSES)
    root = Path(root)
    images_dir, masks_dir = root / "images", root / "masks"
    images_dir.mkdir(parents=True, exist_ok=True)
    masks_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for index in range(count):
        side = size if isinstance(size, int) else int(rng.choice(size))
        image, mask = scene_picture(rng, side, **scene)
        image.save(images_dir / f"scene_{index:03d}.png")
        mask.save(masks_dir / f"scene_{index:03d}.png")
    (root / "classes.txt").write_text("".join(f"{name}\n" for name in classes), encoding="utf-8")
    return list(classes)
