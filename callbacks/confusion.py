"""Confusion matrices: counted from labels, scored, drawn as a figure, written as a PNG and to TensorBoard."""

import numpy as np

from . import tensorboard as board


def confusion_matrix(labels, predictions, num_classes):
    """`matrix[true, predicted]` counts; labels outside `[0, num_classes)` (ignored pixels) count nowhere."""
    labels, predictions = np.asarray(labels).ravel(), np.asarray(predictions).ravel()
    kept = (labels >= 0) & (labels < num_classes)
    return np.bincount(labels[kept] * num_classes + predictions[kept], minlength=num_classes * num_classes).reshape(
        num_classes, num_classes
    )


def overlap_scores(matrix, class_names):
    """Segmentation's metrics from a pixel confusion matrix, flat as `metrics.json` holds them.

    Per class, IoU = TP / (TP + FP + FN) and Dice = 2 TP / (2 TP + FP + FN); `mean_iou` and `mean_dice`
    average the classes that occur in the labels or the predictions (a class absent from both has no
    overlap to score); `pixel_accuracy` is the diagonal's share of all pixels.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    true_positive = np.diag(matrix)
    errors = matrix.sum(axis=0) + matrix.sum(axis=1) - 2 * true_positive  # FP + FN
    occurs = true_positive + errors > 0
    iou = np.divide(true_positive, true_positive + errors, out=np.zeros_like(true_positive), where=occurs)
    dice = np.divide(2 * true_positive, 2 * true_positive + errors, out=np.zeros_like(true_positive), where=occurs)
    scores = {
        "mean_iou": float(iou[occurs].mean()) if occurs.any() else 0.0,
        "mean_dice": float(dice[occurs].mean()) if occurs.any() else 0.0,
        "pixel_accuracy": float(true_positive.sum() / max(matrix.sum(), 1.0)),
    }
    for name, class_iou, class_dice in zip(class_names, iou, dice, strict=True):
        scores[f"iou_{name}"] = float(class_iou)
        scores[f"dice_{name}"] = float(class_dice)
    return scores


def confusion_figure(matrix, class_names, normalise_rows=False, axis_names=("true", "predicted")):
    """The matrix as a figure; `normalise_rows` shows each true class's share (pixel counts are unreadable);
    `axis_names` name the rows and the columns."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    size = max(4, 0.6 * len(class_names) + 2)
    figure, axes = plt.subplots(figsize=(size, size))
    matrix = np.asarray(matrix)
    if normalise_rows:
        matrix = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(class_names)), class_names, rotation=45, ha="right")
    axes.set_yticks(range(len(class_names)), class_names)
    axes.set_ylabel(axis_names[0])
    axes.set_xlabel(axis_names[1])
    for (row, column), count in np.ndenumerate(matrix):
        colour = "white" if count > matrix.max() / 2 else "black"
        axes.text(column, row, f"{count:.2f}" if normalise_rows else str(count), ha="center", va="center", color=colour)
    axes.set_title("confusion matrix" + (f" (share of each {axis_names[0]})" if normalise_rows else ""))
    return figure


def log_confusion_matrix(run, matrix, class_names, normalise_rows=False, axis_names=("true", "predicted")):
    """`confusion_matrix.png` in the run folder and the same image in TensorBoard."""
    image = board.figure_to_image(confusion_figure(matrix, class_names, normalise_rows, axis_names))
    board.log_image(run.logs, "confusion_matrix", image, png_path=run.file("confusion_matrix.png"))
