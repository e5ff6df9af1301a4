"""`evaluate RUN`: the run's model scored with COCO's mAP on the held-out pictures (`data.test_images_dir`, or else
the validation split), in each picture's own pixels, with the detections drawn."""

from .box_pictures import comparison_grid
from .callbacks import tensorboard as board
from .data import read_test_split
from .datasets.image_files import read_rgb
from .inference import confident
from .model import load_trained
from .scoring import print_scores, score

SHOWN = 8  # pictures in the evaluation grid


def evaluate(config, run):
    """Scores, draws and prints; returns the metrics (the runner writes `metrics.json`)."""
    model = load_trained(run)
    images = read_test_split(config)
    metrics, found = score(model, images, config)
    print_scores(metrics, config.data.classes)
    shown = images[:SHOWN]
    drawn = [confident(detections, config.detect.draw_threshold) for detections in found[:SHOWN]]
    grid = comparison_grid(
        [read_rgb(image.path) for image in shown],
        [image.boxes for image in shown],
        [image.labels for image in shown],
        drawn,
        config.data.classes,
    )
    board.log_image(run.logs, "evaluation_boxes", grid, png_path=run.file("evaluation_boxes.png"))
    print(f"{len(images)} pictures; drew the first {len(shown)} to {run.file('evaluation_boxes.png')}")
    return metrics
