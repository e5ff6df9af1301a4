"""Confusion matrices: counted from labels, drawn as a figure, written as a PNG and to TensorBoard."""

import numpy as np

from . import tensorboard as board


def confusion_matrix(labels, predictions, num_classes):
    """`matrix[true, predicted]` counts; labels outside `[0, num_classes)` (ignored pixels) count nowhere."""
    labels, predictions = np.asarray(labels).ravel(), np.asarray(predictions).ravel()
    kept = (labels >= 0) & (labels < num_classes)
    return np.bincount(labels[kept] * num_classes + predictions[kept],
                       minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def confusion_figure(matrix, class_names):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    size = max(4, 0.6 * len(class_names) + 2)
    figure, axes = plt.subplots(figsize=(size, size))
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(class_names)), class_names, rotation=45, ha="right")
    axes.set_yticks(range(len(class_names)), class_names)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    for (row, column), count in np.ndenumerate(matrix):
        colour = "white" if count > matrix.max() / 2 else "black"
        axes.text(column, row, str(count), ha="center", va="center", color=colour)
    axes.set_title("confusion matrix")
    return figure


def log_confusion_matrix(run, matrix, class_names):
    """`confusion_matrix.png` in the run folder and the same image in TensorBoard's evaluation log."""
    image = board.figure_to_image(confusion_figure(matrix, class_names))
    board.log_image(run.logs / "evaluation", "confusion_matrix", image, png_path=run.file("confusion_matrix.png"))
