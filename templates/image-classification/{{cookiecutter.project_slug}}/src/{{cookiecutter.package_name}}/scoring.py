"""The field's metrics on held-out images: accuracy, top-k, per-class precision/recall/F1, confusion matrix.

Training scores its validation split with them when it ends, and `evaluate` the held-out split.
"""

import numpy as np

from .callbacks.confusion import confusion_matrix
from .inference import predict_probabilities
from .model import class_names_of


def metrics_from(probabilities, labels, class_names, top_k):
    """Flat metric name -> number, as `metrics.json` holds them."""
    labels = np.asarray(labels)
    predicted = probabilities.argmax(axis=1)
    matrix = confusion_matrix(labels, predicted, len(class_names))
    top_k = min(top_k, len(class_names))
    top = np.argsort(-probabilities, axis=1)[:, :top_k]
    metrics = {
        "accuracy": float((predicted == labels).mean()),
        f"top_{top_k}_accuracy": float((top == labels[:, None]).any(axis=1).mean()),
    }
    f1_scores = []
    for index, name in enumerate(class_names):
        true_positive = matrix[index, index]
        precision = true_positive / max(1, matrix[:, index].sum())
        recall = true_positive / max(1, matrix[index, :].sum())
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        metrics[f"precision_{name}"] = float(precision)
        metrics[f"recall_{name}"] = float(recall)
        metrics[f"f1_{name}"] = float(f1)
        f1_scores.append(f1)
    metrics["macro_f1"] = float(np.mean(f1_scores))
    return metrics, matrix


def score(model, paths, labels, config):
    """`(metrics, confusion matrix)` of `model` on the image files `paths` with their class indices `labels`."""
    probabilities = predict_probabilities(model, paths, config.data.batch_size)
    return metrics_from(probabilities, labels, class_names_of(model), config.evaluate.top_k)
