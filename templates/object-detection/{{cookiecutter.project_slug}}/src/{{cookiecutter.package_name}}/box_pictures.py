"""Boxes a person can look at: true boxes beside predicted ones, each in its class colour with a caption.

`BoxPreview` draws the same validation pictures after every epoch, to TensorBoard (one step per epoch, so the
slider shows the boxes improving) and to a PNG in the run folder.

    BoxPreview(images, true_boxes, true_labels, detect, class_names, run.logs, run.file("val_boxes.png"))
"""

import colorsys

import keras
import numpy as np

from .callbacks import tensorboard as board

GOLDEN_RATIO = 0.618033988749895  # hue step: class k's colour never changes, and neighbouring classes differ most
FONT_SCALE = 0.4  # captions about 9 pixels high: readable, and small beside pictures of `smallest` pixels
PADDING = 255  # white, filling rows narrower than the widest


def class_colours(count):
    """`count` bright RGB colours, one per class; the colour of class k is the same whatever `count` is."""
    hues = (index * GOLDEN_RATIO % 1 for index in range(count))
    return [tuple(round(255 * channel) for channel in colorsys.hsv_to_rgb(hue, 0.85, 1.0)) for hue in hues]


def draw_boxes(image, boxes, labels, class_names, scores=None, line_width=1):
    """`image` (H, W, 3) uint8 with `boxes` (n, 4) xyxy in pixels outlined in their class colour, each captioned
    with its class name (and score, "circle | 0.87", when `scores` are given). Returns a new uint8 picture."""
    boxes, labels = np.asarray(boxes, dtype=np.float32).reshape(-1, 4), np.asarray(labels, dtype=np.int32)
    colours = class_colours(len(class_names))
    picture = np.array(image, dtype=np.uint8)[None]
    # Keras draws every box of one call in one colour, so each class is drawn by a call of its own.
    for label in np.unique(labels):
        chosen = labels == label
        found = {"boxes": boxes[chosen][None], "labels": labels[chosen][None]}
        if scores is not None:
            found["confidences"] = np.asarray(scores, dtype=np.float32)[chosen][None]
        picture = keras.visualization.draw_bounding_boxes(
            picture,
            found,
            "xyxy",
            class_mapping=dict(enumerate(class_names)),
            color=colours[label],
            line_thickness=line_width,
            font_scale=FONT_SCALE,
            data_format="channels_last",
        )
    return picture[0]


def enlargement(image, smallest):
    """The whole factor that brings the longer side of `image` closest to `smallest` pixels without passing it, 1
    when it is already as large."""
    return max(1, smallest // max(np.shape(image)[:2]))


def enlarge(image, scale):
    """`image` `scale` times as high and wide, pixel by pixel, so nothing blurs."""
    return np.repeat(np.repeat(np.asarray(image), scale, axis=0), scale, axis=1)


def fill_instances(image, masks, opacity=0.5):
    """`image` (H, W, 3) uint8 with each of `masks` ((H, W) bool) blended in a colour of its own, in order."""
    picture = np.asarray(image, np.float32).copy()
    for mask, colour in zip(masks, class_colours(len(masks)), strict=True):
        picture[mask] = (1 - opacity) * picture[mask] + opacity * np.array(colour, np.float32)
    return np.uint8(np.round(picture))


def comparison_grid(images, true_boxes, true_labels, predicted, class_names, smallest=256, masks=None):
    """One row per picture: its true boxes | its predicted boxes with their scores, rows padded to the widest.

    `predicted` holds `(boxes, labels, scores)` per picture; `images` may differ in size. Pictures smaller than
    `smallest` pixels are enlarged before drawing, so the captions keep their size and stay readable. `masks`, if
    given, holds per picture `(true masks, predicted masks)`, (H, W) bool each, filled in under the boxes.
    """
    rows = []
    masks = masks or [([], [])] * len(images)
    for image, boxes, labels, (found_boxes, found_labels, scores), (true_masks, found_masks) in zip(
        images, true_boxes, true_labels, predicted, masks, strict=True
    ):
        scale = enlargement(image, smallest)
        picture = enlarge(image, scale)
        truth = fill_instances(picture, [enlarge(mask, scale) for mask in true_masks])
        truth = draw_boxes(truth, np.asarray(boxes) * scale, labels, class_names)
        prediction = fill_instances(picture, [enlarge(mask, scale) for mask in found_masks])
        prediction = draw_boxes(prediction, np.asarray(found_boxes) * scale, found_labels, class_names, scores)
        rows.append(np.concatenate([truth, prediction], axis=1))
    width = max(row.shape[1] for row in rows)
    padded = [np.pad(row, ((0, 0), (0, width - row.shape[1]), (0, 0)), constant_values=PADDING) for row in rows]
    return np.concatenate(padded, axis=0)


class BoxPreview(keras.callbacks.Callback):
    """After each epoch: `images` (uint8 (H, W, 3) each) with their true boxes and labels, and the model's boxes.

    `detect(model, images)` returns `(boxes, labels, scores)` per picture, boxes xyxy in the picture's pixels, and
    the masks of those boxes ((H, W) bool each) per picture, or None without masks; `true_masks` holds each
    picture's true masks, when there are some.
    """

    def __init__(self, images, true_boxes, true_labels, detect, class_names, log_dir, png_path=None, true_masks=None):
        super().__init__()
        self.images, self.true_boxes, self.true_labels = images, true_boxes, true_labels
        self.detect, self.class_names, self.true_masks = detect, class_names, true_masks
        self.log_dir, self.png_path = log_dir, png_path

    def on_epoch_end(self, epoch, logs=None):
        predicted, found_masks = self.detect(self.model, self.images)
        masks = list(zip(self.true_masks, found_masks, strict=True)) if found_masks is not None else None
        grid = comparison_grid(self.images, self.true_boxes, self.true_labels, predicted, self.class_names, masks=masks)
        board.log_image(self.log_dir, "validation_boxes", grid, step=epoch, png_path=self.png_path)
