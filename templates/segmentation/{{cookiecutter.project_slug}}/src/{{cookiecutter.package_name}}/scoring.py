"""Segmentation's metrics on held-out pairs, scored at each picture's own size: per-class IoU and Dice,
mean IoU, pixel accuracy, and the confusion matrix; plus overlays of the first pictures.

Training scores its validation split with them when it ends, and `evaluate` the held-out pairs.
"""

import numpy as np
from PIL import Image

from .callbacks import tensorboard as board
from .callbacks.confusion import confusion_matrix, log_confusion_matrix, overlap_scores
from .inference import predicted_masks, read_picture
from .mask_pictures import comparison_grid
from .model import class_names_of, colours_of

SHOWN = 8  # pictures in the evaluation overlay


def score(model, image_paths, mask_paths, config, run=None):
    """`(metrics, confusion matrix)` over the pairs; with `run`, also writes `evaluation_masks.png`."""
    encoding = config.data.encoding()
    class_names = class_names_of(model)
    matrix = np.zeros((len(class_names), len(class_names)), dtype=np.int64)
    shown = []
    for (path, predicted), mask_path in zip(
        predicted_masks(model, image_paths, config.data.batch_size), mask_paths, strict=True
    ):
        with Image.open(mask_path) as mask:
            truth, _ = encoding.class_indices(np.asarray(mask.convert("RGB") if encoding.colours else mask))
        matrix += confusion_matrix(truth, predicted, len(class_names))
        if run is not None and len(shown) < SHOWN and (not shown or truth.shape == shown[0][1].shape):  # one grid
            shown.append((read_picture(path), truth, predicted))
    if run is not None and shown:
        grid = comparison_grid(*map(np.stack, zip(*shown, strict=True)), class_names, colours_of(model))
        board.log_image(run.logs, "evaluation_masks", grid, png_path=run.file("evaluation_masks.png"))
    return overlap_scores(matrix, class_names), matrix


def draw_confusion(run, matrix, class_names):
    """The confusion matrix (share of each true class) as `confusion_matrix.png` and in TensorBoard."""
    log_confusion_matrix(run, matrix, class_names, normalise_rows=True)
