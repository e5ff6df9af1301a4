"""Generated detection scenes: sample data a detector really learns from, and that anyone can regenerate.

Each scene holds one to six shapes of `SCENE_CLASSES` on a textured background, in the ways real objects vary:
sides from 11 pixels to 45 % of the image (log-uniform, so about a fifth are under 16 pixels), stretched to any
width:height between 1:1.6 and 1.6:1, turned at random, and partly over one another. No shape loses more than 30 %
of its pixels to those painted over it, and overlapping shapes differ in colour, so every labelled shape stays
visible. A box is the tight box of a shape's visible pixels, read from the mask the shape is painted through: boxes
are exact, and so are the instance masks, those visible pixels, written as COCO run-lengths.

    classes = write_sample_scenes("data")  # data/images/scene_000.png, ...; data/annotations.json (COCO)
"""

import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from .box_files import AnnotatedImage, BoxDataset, write_coco
from .datasets.shapes import contrasting_colour, draw_shape, textured_background
from .masks import encode

SCENE_CLASSES = ("circle", "square", "triangle", "star", "cross")
MAX_OBJECTS = 6
SIDE_RANGE = (11, 0.45)  # pixels at least, fraction of the image side at most
MAX_STRETCH = 1.6  # width:height between 1:1.6 and 1.6:1
MAX_COVERED = 0.3  # of a shape's pixels that shapes painted over it may hide
COLOUR_GAP = 60  # RGB distance overlapping shapes keep, so the edge between them shows
PLACEMENT_TRIES = 20
DRAWING_SIDE = 128  # shapes are drawn this large, then resized: smooth outlines even at 11 pixels


def shape_mask(kind, width, height, rotation):
    """A (height, width) bool mask of `kind` turned by `rotation`, stretched to fill the box exactly."""
    canvas = Image.new("L", (DRAWING_SIDE, DRAWING_SIDE), 0)
    middle = DRAWING_SIDE / 2
    draw_shape(ImageDraw.Draw(canvas), kind, (middle, middle), middle - 2, rotation, 255)
    # the resize averages (Pillow antialiases every filter but NEAREST); the threshold makes it a mask again
    shape = canvas.crop(canvas.getbbox()).resize((width, height), Image.BILINEAR)
    return np.asarray(shape) >= 128


def paint_scene(rng, size=128, classes=SCENE_CLASSES, max_objects=MAX_OBJECTS):
    """One scene: `(image, objects, labels)`, an RGB PIL image `size` pixels square, an int (size, size) array that
    holds at each pixel the index of the shape seen there (-1: background), and each shape's index into `classes`."""
    background = textured_background(rng, size)
    pixels = np.array(background)
    objects = np.full((size, size), -1, dtype=np.int32)
    labels, colours, areas = [], [], []  # of the shapes painted so far; areas in pixels, before any was covered
    for _ in range(rng.integers(1, max_objects + 1)):
        width, height = _box_size(rng, size)
        class_index = int(rng.integers(len(classes)))
        mask = shape_mask(classes[class_index], width, height, rng.uniform(0, 2 * math.pi))
        colour = contrasting_colour(rng, background)
        visible = np.bincount(objects[objects >= 0], minlength=len(labels))
        for _ in range(PLACEMENT_TRIES):
            x, y = int(rng.integers(0, size - width + 1)), int(rng.integers(0, size - height + 1))
            below = objects[y : y + height, x : x + width][mask]
            hidden = np.bincount(below[below >= 0], minlength=len(labels))
            if _may_cover(hidden, visible, areas, colour, colours):
                break
        else:
            continue
        areas.append(int(mask.sum()))
        objects[y : y + height, x : x + width][mask] = len(labels)
        pixels[y : y + height, x : x + width][mask] = colour
        labels.append(class_index)
        colours.append(colour)
    return Image.fromarray(pixels), objects, np.array(labels, dtype=np.int32)


def tight_boxes(objects, count):
    """Float32 (count, 4) boxes `x_min, y_min, x_max, y_max` round the pixels of each shape in `objects`."""
    boxes = np.zeros((count, 4), dtype=np.float32)
    for index in range(count):
        rows, columns = np.nonzero(objects == index)
        boxes[index] = columns.min(), rows.min(), columns.max() + 1, rows.max() + 1  # a box spans pixel edges
    return boxes


def scene_picture(rng, size=128, **scene):
    """One scene: `(image, boxes, labels)`; `scene` goes to `paint_scene`."""
    image, objects, labels = paint_scene(rng, size, **scene)
    return image, tight_boxes(objects, len(labels)), labels


def write_sample_scenes(root, count=240, size=128, seed=0, classes=SCENE_CLASSES):
    """Writes `root/images/scene_NNN.png` and their boxes and masks to `root/annotations.json` (COCO). Returns the
    class names.

    `size` is every scene's side, or a list each scene draws its side from."""
    root = Path(root)
    images_dir = root / "images"
    images_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    annotated = []
    for index in range(count):
        side = size if isinstance(size, int) else int(rng.choice(size))
        image, objects, labels = paint_scene(rng, side, classes=classes)
        path = images_dir / f"scene_{index:03d}.png"
        image.save(path)
        masks = [encode(objects == number) for number in range(len(labels))]
        annotated.append(AnnotatedImage(path, side, side, tight_boxes(objects, len(labels)), labels, masks))
    write_coco(root / "annotations.json", BoxDataset(list(classes), annotated, "coco"), images_dir)
    return list(classes)


def _box_size(rng, size):
    """`(width, height)` of a shape's box: a log-uniform side within `SIDE_RANGE`, stretched up to `MAX_STRETCH`."""
    longest = max(SIDE_RANGE[0], SIDE_RANGE[1] * size)
    side = math.exp(rng.uniform(math.log(SIDE_RANGE[0]), math.log(longest)))
    stretch = math.sqrt(math.exp(rng.uniform(-math.log(MAX_STRETCH), math.log(MAX_STRETCH))))
    return tuple(int(np.clip(round(value), SIDE_RANGE[0], longest)) for value in (side * stretch, side / stretch))


def _may_cover(hidden, visible, areas, colour, colours):
    """Whether a shape of `colour` may hide `hidden[k]` of the `visible[k]` pixels of each shape k painted before."""
    return all(
        not count
        or (visible[k] - count >= (1 - MAX_COVERED) * areas[k] and math.dist(colour, colours[k]) >= COLOUR_GAP)
        for k, count in enumerate(hidden)
    )
