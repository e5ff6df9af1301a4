"""The field's metrics on held-out images: accuracy, top-k, per-class precision/recall/F1, confusion matrix."""

import keras
import numpy as np

from .callbacks.confusion import confusion_matrix, log_confusion_matrix
from .datasets import pipeline
from .model import class_names_of
from .runtime.files import write_json


def predict_probabilities(model, paths, batch_size):
    """Probabilities for image files, decoded by the same code as training; the model resizes."""
    size = model.get_layer("resize").height
    dataset = pipeline.image_dataset(paths, [0] * len(paths), (size, size), batch_size, training=False, seed=0,
                                     cache=False).map(lambda images, _: images)
    return model.predict(dataset, verbose=0)


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
    probabilities = predict_probabilities(model, paths, config.data.batch_size)
    return metrics_from(probabilities, labels, class_names_of(model), config.evaluate.top_k)


def write_report(run, metrics, matrix, class_names):
    """Confusion matrix as PNG and in TensorBoard, then `metrics.json`."""
    log_confusion_matrix(run, matrix, class_names)
    write_json(run.metrics, metrics)


def print_metrics(metrics, class_names):
    headline = {key: value for key, value in metrics.items() if not key.startswith(("precision_", "recall_", "f1_"))}
    for key, value in headline.items():
        print(f"{key:>20}: {value:.4f}")
    print(f"\n{'class':<20} {'precision':>9} {'recall':>9} {'f1':>9}")
    for name in class_names:
        print(f"{name:<20} {metrics[f'precision_{name}']:>9.3f} {metrics[f'recall_{name}']:>9.3f} "
              f"{metrics[f'f1_{name}']:>9.3f}")


def evaluate_run(run, config):
    """`evaluate RUN`: scores the run's model on the held-out split and rewrites `metrics.json`."""
    from .data import read_test_split

    model = keras.saving.load_model(run.file("model.keras"))
    class_names = class_names_of(model)
    paths, labels = read_test_split(config, class_names)
    metrics, matrix = score(model, paths, labels, config)
    write_report(run, metrics, matrix, class_names)
    print_metrics(metrics, class_names)
    return metrics
