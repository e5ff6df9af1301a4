"""`evaluate RUN`: the run's model scored on the held-out pairs (`data.test_images_dir`, or else the validation
split), at each picture's own size."""

import keras

from .data import read_test_split
from .model import class_names_of
from .scoring import draw_confusion, score


def print_metrics(metrics, class_names):
    for key in ("mean_iou", "mean_dice", "pixel_accuracy"):
        print(f"{key:>16}: {metrics[key]:.4f}")
    print(f"\n{'class':<20} {'iou':>7} {'dice':>7}")
    for name in class_names:
        print(f"{name:<20} {metrics[f'iou_{name}']:>7.3f} {metrics[f'dice_{name}']:>7.3f}")


def evaluate(config, run):
    """Scores, draws and prints; returns the metrics (the runner writes `metrics.json`)."""
    model = keras.saving.load_model(run.file("model.keras"), compile=False)
    class_names = class_names_of(model)
    images, masks = read_test_split(config.data, config.train.seed)
    metrics, matrix = score(model, images, masks, config, run)
    draw_confusion(run, matrix, class_names)
    print_metrics(metrics, class_names)
    return metrics
