"""Segmentation's metrics on held-out pairs, scored at each picture's own size: per-class IoU and Dice,
mean IoU, pixel accuracy, and the confusion matrix; plus overlays of the first pictures."""

import keras
import numpy as np
import tensorflow as tf
from PIL import Image

from .callbacks import tensorboard as board
from .callbacks.confusion import confusion_matrix, log_confusion_matrix, overlap_scores
from .callbacks.masks import comparison_grid
from .datasets import pipeline
from .model import class_names_of, colours_of
from .runtime.files import write_json

SHOWN = 8  # pictures in the evaluation overlay


def at_input_size(probabilities, height, width):
    """Probabilities (batch, h, w, classes) at model size -> `(probabilities, class indices)` at (height, width):
    bilinear, then argmax. `predict`, `evaluate` and the SavedModel all resize here, so their masks agree."""
    probabilities = tf.image.resize(probabilities, tf.stack([height, width]), method="bilinear")
    return probabilities, tf.argmax(probabilities, axis=-1, output_type=tf.int32)


def read_picture(path):
    with Image.open(path) as picture:
        return np.asarray(picture.convert("RGB"))


def predicted_masks(model, image_paths, batch_size, progress=True):
    """Yields `(path, mask)` per image: class indices, uint8, at the picture's own size."""
    size = model.get_layer("resize").height
    dataset = pipeline.image_dataset(image_paths, [0] * len(image_paths), (size, size), batch_size, training=False,
                                     seed=0, cache=False).map(lambda images, _: images)
    bar = keras.utils.Progbar(len(image_paths), unit_name="image") if progress else None
    paths = iter(image_paths)
    for batch in dataset:
        probabilities = model.predict_on_batch(batch)
        for row in probabilities:
            path = next(paths)
            with Image.open(path) as picture:  # the header only: the pixels were decoded by the dataset
                width, height = picture.size
            _, indices = at_input_size(row[None], height, width)
            yield path, indices[0].numpy().astype(np.uint8)
        if bar is not None:
            bar.add(len(probabilities))


def score(model, image_paths, mask_paths, config, run=None):
    """`(metrics, confusion matrix)` over the pairs; with `run`, also writes `evaluation_masks.png`."""
    encoding = config.data.encoding()
    class_names = class_names_of(model)
    matrix = np.zeros((len(class_names), len(class_names)), dtype=np.int64)
    shown = []
    for (path, predicted), mask_path in zip(predicted_masks(model, image_paths, config.data.batch_size), mask_paths,
                                            strict=True):
        with Image.open(mask_path) as mask:
            truth, _ = encoding.class_indices(np.asarray(mask.convert("RGB") if encoding.colours else mask))
        matrix += confusion_matrix(truth, predicted, len(class_names))
        if run is not None and len(shown) < SHOWN and (not shown or truth.shape == shown[0][1].shape):  # one grid
            shown.append((read_picture(path), truth, predicted))
    if run is not None and shown:
        grid = comparison_grid(*map(np.stack, zip(*shown, strict=True)), class_names, colours_of(model))
        board.log_image(run.logs / "evaluation", "evaluation_masks", grid, png_path=run.file("evaluation_masks.png"))
    return overlap_scores(matrix, class_names), matrix


def write_report(run, metrics, matrix, class_names):
    """Confusion matrix (share of each true class) as PNG and in TensorBoard, then `metrics.json`."""
    log_confusion_matrix(run, matrix, class_names, normalise_rows=True)
    write_json(run.metrics, metrics)


def print_metrics(metrics, class_names):
    for key in ("mean_iou", "mean_dice", "pixel_accuracy"):
        print(f"{key:>16}: {metrics[key]:.4f}")
    print(f"\n{'class':<20} {'iou':>7} {'dice':>7}")
    for name in class_names:
        print(f"{name:<20} {metrics[f'iou_{name}']:>7.3f} {metrics[f'dice_{name}']:>7.3f}")


def evaluate_run(run, config):
    """`evaluate RUN`: scores the run's model on the held-out pairs and rewrites `metrics.json`."""
    from .data import read_test_split

    model = keras.saving.load_model(run.file("model.keras"), compile=False)
    images, masks = read_test_split(config.data, config.train.seed)
    metrics, matrix = score(model, images, masks, config, run)
    write_report(run, metrics, matrix, class_names_of(model))
    print_metrics(metrics, class_names_of(model))
    return metrics
