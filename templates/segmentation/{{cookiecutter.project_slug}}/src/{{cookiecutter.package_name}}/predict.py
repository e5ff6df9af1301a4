"""Masks for image files or folders: a colour-coded mask PNG and an overlay per picture, at its own size.

Each mask PNG is a palette image, as Pascal VOC's are: its pixel values are the class values of
`data.classes` (class indices when the classes are given by colour), its palette paints each class
in its colour. So it opens as a coloured picture and reads back as a mask in your own format.
"""

import csv
from pathlib import Path

import keras
import numpy as np
from PIL import Image

from .callbacks.masks import overlay
from .config import load
from .datasets.image_files import list_inputs
from .evaluate import predicted_masks, read_picture
from .model import class_names_of, colours_of


def mask_values(data_config):
    """The PNG value of each class: its mask value, or its index when classes are given by colour."""
    if data_config.classes[0].value is not None:
        return [mask_class.value for mask_class in data_config.classes]
    return list(range(len(data_config.classes)))


def png_palette(values, colours):
    """(256, 3) uint8: the colour of each mask value, black where no class has that value."""
    palette = np.zeros((256, 3), dtype=np.uint8)
    palette[np.asarray(values)] = colours
    return palette


def mask_png(indices, values, colours):
    """Class indices (H, W) -> a mode "P" image of the classes' values, painted in their colours."""
    image = Image.fromarray(np.asarray(values, dtype=np.uint8)[indices], mode="P")
    image.putpalette(png_palette(values, colours).ravel().tolist())
    return image


def predict(run, inputs, output, batch_size=16):
    model = keras.saving.load_model(run.file("model.keras"), compile=False)
    config = load(run.config_file)
    class_names, colours = class_names_of(model), colours_of(model)
    values = mask_values(config.data)
    paths = list_inputs(inputs)
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    rows = []
    for index, (path, indices) in enumerate(predicted_masks(model, paths, batch_size)):
        stem = f"{index:04d}_{Path(path).stem}"  # numbered: two inputs may share a file name
        mask_file, overlay_file = output / f"{stem}_mask.png", output / f"{stem}_overlay.png"
        mask_png(indices, values, colours).save(mask_file)
        Image.fromarray(overlay(read_picture(path), indices, colours)).save(overlay_file)
        shares = np.bincount(indices.ravel(), minlength=len(class_names)) / indices.size
        rows.append([path, mask_file.name, overlay_file.name, *(f"{share:.4f}" for share in shares)])
    table = output / "predictions.csv"
    with open(table, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "mask", "overlay", *(f"share_{name}" for name in class_names)])
        writer.writerows(rows)
    for row in rows:
        present = [name for name, share in zip(class_names, row[3:], strict=True) if float(share) > 0]
        print(f"{row[1]:<28} {', '.join(present):<40} {row[0]}")
    print(f"wrote {len(rows)} masks and overlays to {output}, and {table}")
    return table
