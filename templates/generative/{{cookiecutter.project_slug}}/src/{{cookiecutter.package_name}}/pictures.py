"""Grids of samples to look at: a row per class (its name on the left), in TensorBoard and as PNG files."""

import textwrap

import numpy as np
from PIL import Image, ImageDraw

from .callbacks.tensorboard import image_grid, log_image

COLUMNS = 8
TILE = 64  # pixels per image in a grid, at least: 32 x 32 samples are enlarged (nearest neighbour) to be seen
CHARACTER = (6, 14)  # pixels a character of PIL's default font takes, at most: its width, and its line's height


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
    margin = 80 if max(map(len, class_names)) <= 12 else 160  # class names fit in one line; prompts wrap
    rows = []
    for index, name in enumerate(class_names):
        chosen = pixels[np.asarray(labels) == index][:columns]
        row = np.zeros((pixels.shape[1], pixels.shape[2] * columns, 3), np.uint8)
        if len(chosen):
            row[:, : pixels.shape[2] * len(chosen)] = image_grid(chosen, columns)
        rows.append(_named(row, name, margin))
    return np.concatenate(rows)


def _named(row, name, margin):
    """`row` with `name` written in a margin `margin` pixels wide on its left, wrapped into as many lines as fit."""
    width, line = CHARACTER
    lines = textwrap.wrap(name, margin // width - 1, max_lines=row.shape[0] // line, placeholder="...")
    picture = Image.new("RGB", (row.shape[1] + margin, row.shape[0]), "white")
    picture.paste(Image.fromarray(row), (margin, 0))
    top = (row.shape[0] - line * len(lines)) // 2
    ImageDraw.Draw(picture).multiline_text((4, top), "\n".join(lines), fill="black")
    return np.asarray(picture)


def save_grid(pixels, labels, class_names, log_dir, png_path, step=0, tag="samples"):
    """Draws the grid of `pixels` into TensorBoard (`tag`, at `step`) and into `png_path`."""
    log_image(log_dir, tag, grid_picture(pixels, labels, class_names), step=step, png_path=png_path)
