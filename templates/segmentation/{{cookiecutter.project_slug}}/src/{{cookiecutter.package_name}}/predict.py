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

from .datasets.image_files import list_inputs
from .inference import mask_png, mask_values, predicted_masks, read_picture
from .mask_pictures import overlay
from .model import class_names_of, colours_of


def predict(config, run, inputs, output, batch_size=16):
    """Writes each input's mask PNG and overlay into `output`, and `predictions.csv` with each class's share of
    the picture; `config` is the run's, whose `data.classes` give the mask values."""
    model = keras.saving.load_model(run.file("model.keras"), compile=False)
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
