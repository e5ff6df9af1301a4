"""Masks a person can look at: class colours laid over the picture, true beside predicted, with a legend.

`MaskPreview` draws the same validation pictures after every epoch, to TensorBoard (one step per epoch,
so the slider shows the masks improving) and to a PNG in the run folder.

    MaskPreview(images, true_masks, class_names, colours, run.logs, run.file("val_predictions.png"))
"""

import keras
import numpy as np
from PIL import Image, ImageDraw

from .callbacks import tensorboard as board
from .runtime import device

IGNORED_COLOUR = (255, 255, 255)  # pixels labelled -1 (ignore value) in the true masks


def colourise(mask, colours):
    """Class indices (H, W), -1 for ignored -> an RGB picture (H, W, 3) uint8 in the class colours."""
    palette = np.array([*colours, IGNORED_COLOUR], dtype=np.uint8)  # index -1 picks the last row
    return palette[np.asarray(mask)]


def overlay(image, mask, colours, alpha=0.55):
    """The picture with each pixel's class colour blended over it; classes coloured black stay uncovered."""
    image = np.asarray(image, dtype=np.float32)
    painted = colourise(mask, colours).astype(np.float32)
    covered = painted.any(axis=-1, keepdims=True)
    return np.uint8(np.where(covered, (1 - alpha) * image + alpha * painted, image))


def legend(class_names, colours, width, row_height=14):
    """A strip of colour swatches with class names, `width` pixels wide, uint8 RGB."""
    columns = max(1, width // 110)
    rows = -(-len(class_names) // columns)
    strip = Image.new("RGB", (width, rows * row_height + 4), (255, 255, 255))
    draw = ImageDraw.Draw(strip)
    for index, (name, colour) in enumerate(zip(class_names, colours, strict=True)):
        row, column = divmod(index, columns)
        x, y = 4 + column * (width // columns), 2 + row * row_height
        draw.rectangle((x, y + 1, x + 10, y + 11), fill=tuple(colour), outline=(0, 0, 0))
        draw.text((x + 14, y), name, fill=(0, 0, 0))
    return np.asarray(strip)


def comparison_grid(images, true_masks, predicted_masks, class_names, colours, smallest=128):
    """One row per picture: picture | true mask over it | predicted mask over it; the legend below.

    Pictures smaller than `smallest` pixels are enlarged by a whole factor, pixel by pixel, to be seen.
    """
    scale = max(1, smallest // np.shape(images)[1])
    if scale > 1:
        images, true_masks, predicted_masks = (
            np.repeat(np.repeat(np.asarray(array), scale, axis=1), scale, axis=2)
            for array in (images, true_masks, predicted_masks)
        )
    rows = [
        np.concatenate([image, overlay(image, truth, colours), overlay(image, predicted, colours)], axis=1)
        for image, truth, predicted in zip(images, true_masks, predicted_masks, strict=True)
    ]
    grid = np.concatenate(rows, axis=0)
    return np.concatenate([grid, legend(class_names, colours, grid.shape[1])], axis=0)


class MaskPreview(keras.callbacks.Callback):
    """After each epoch: `images` (N, H, W, 3) uint8 with their true masks (N, H, W) and the model's masks.

    The model must output class probabilities (N, H, W, classes) for `images`.
    """

    def __init__(self, images, true_masks, class_names, colours, log_dir, png_path=None):
        super().__init__()
        self.images, self.true_masks = images, true_masks
        self.class_names, self.colours = class_names, colours
        self.log_dir, self.png_path = log_dir, png_path

    def on_epoch_end(self, epoch, logs=None):
        probabilities = device.predict_on_batch(self.model, self.images.astype(np.float32))
        grid = comparison_grid(
            self.images, self.true_masks, probabilities.argmax(axis=-1), self.class_names, self.colours
        )
        board.log_image(self.log_dir, "validation_masks", grid, step=epoch, png_path=self.png_path)
