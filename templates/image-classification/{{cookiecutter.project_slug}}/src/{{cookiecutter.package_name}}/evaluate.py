"""`evaluate RUN`: the run's model scored on the held-out split (`data.test_dir`, or else the validation split)."""

import keras

from .callbacks.confusion import log_confusion_matrix
from .data import read_test_split
from .model import class_names_of
from .scoring import score


def print_metrics(metrics, class_names):
    headline = {key: value for key, value in metrics.items() if not key.startswith(("precision_", "recall_", "f1_"))}
    for key, value in headline.items():
        print(f"{key:>20}: {value:.4f}")
    print(f"\n{'class':<20} {'precision':>9} {'recall':>9} {'f1':>9}")
    for name in class_names:
        print(
            f"{name:<20} {metrics[f'precision_{name}']:>9.3f} {metrics[f'recall_{name}']:>9.3f} "
            f"{metrics[f'f1_{name}']:>9.3f}"
        )


def evaluate(config, run):
    """Scores, draws and prints; returns the metrics (the runner writes `metrics.json`)."""
    model = keras.saving.load_model(run.file("model.keras"))
    class_names = class_names_of(model)
    paths, labels = read_test_split(config, class_names)
    metrics, matrix = score(model, paths, labels, config)
    log_confusion_matrix(run, matrix, class_names)
    print_metrics(metrics, class_names)
    return metrics
