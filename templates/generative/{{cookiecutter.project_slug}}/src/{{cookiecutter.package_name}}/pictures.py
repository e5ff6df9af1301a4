"""Grids of samples to look at: a row per class (its name on the left), in TensorBoard and as PNG files."""

import numpy as np
from PIL import Image, ImageDraw

from .callbacks.tensorboard import image_grid, log_image

COLUMNS = 8
TILE = 64  # pixels per image in a grid, at least: 32 x 32 samples are enlarged (nearest neighbour) to be seen


def grid_picture(pixels, labels, class_names, columns=COLUMNS):
    """uint8 `(height, width, 3)`: up to `columns` samples of each class in a row, rows in class order with the class
    name on the left; without classes, the samples `columns` to a row."""
    pixels = np.asarray(pixels)
    if pixels.shape[-1] == 1:
        pixels = np.repeat(pixels, 3, axis=-1)
    scale = max(1, -(-TILE // pixels.shape[1]))
    pixels = pixels.repeat(scale, axis=1).repeat(scale, axis=2)
    if not class_names:
        return image_grid(pixels[: columns * columns], columns)
    rows = []
    for index, name in enumerate(class_names):
        chosen = pixels[np.asarray(labels) == index][:columns]
        row = np.zeros((pixels.shape[1], pixels.shape[2] * columns, 3), np.uint8)
        if len(chosen):
            row[:, : pixels.shape[2] * len(chosen)] = image_grid(chosen, columns)
        rows.append(_named(row, name))
    return np.concatenate(rows)


def _named(row, name, margin=80):
    """`row` with `name` written in a margin on its left."""
    picture = Image.new("RGB", (row.shape[1] + margin, row.shape[0]), "white")
    picture.paste(Image.fromarray(row), (margin, 0))
    ImageDraw.Draw(picture).text((4, row.shape[0] // 2 - 6), name[:12], fill="black")
    return np.asarray(picture)


def save_grid(pixels, labels, class_names, log_dir, png_path, step=0, tag="samples"):
    """Draws the grid of `pixels` into TensorBoard (`tag`, at `step`) and into `png_path`."""
    log_image(log_dir, tag, grid_picture(pixels, labels, class_names), step=step, png_path=png_path)
