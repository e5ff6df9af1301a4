"""What this project gives the shared runner (`runtime/task.py`): its verbs, `anchors` among them, and how `fit`
compiles each phase."""

from pathlib import Path

from .config import load
from .runtime import cli
from .runtime.task import TRAINING_KNOBS, FitTask


class ObjectDetection(FitTask):
    name = "{{ cookiecutter.project_slug }}"
    description = "{{ cookiecutter.description }}"
    help = {
        "sample-data": "write the bundled sample dataset (images/ and annotations.json, COCO)",
        "evaluate": "COCO mAP@[.5:.95], mAP@.5, mAP@.75, AP by object size and per class on held-out pictures",
        "predict": "detect objects -> pictures with boxes drawn, predictions.csv and COCO results JSON",
        "export": "write the model for serving: picture bytes in, boxes after per-class NMS out",
    }
    monitor = "map"
    hparams = (
        "model.backbone",
        "model.weights",
        "model.head_width",
        "model.head_depth",
        "anchors.size",
        "anchors.min_level",
        "anchors.max_level",
        *TRAINING_KNOBS,
        "train.finetune_epochs",
        "data.batch_size",
        "data.image_size",
    )
    scores = ("map", "map_50", "map_75", "map_small", "epoch_val_map", "epoch_val_loss")
    calibration_batches = 5

    def load_config(self, path, overrides=()):
        return load(path, overrides)

    def backends_for(self, config):
        if config.model.architecture == "faster_rcnn":
            return ("tensorflow",), (
                "model.architecture faster_rcnn records its gradients with tf.GradientTape and proposes boxes with "
                "TensorFlow's NMS; model.architecture=retinanet runs on both"
            )
        return super().backends_for(config)

    def write_sample_data(self, directory):
        from .data import write_sample_data

        return write_sample_data(directory)

    def read_data(self, config):
        from .data import read_splits

        return read_splits(config)

    def train(self, config, data, session):
        from .train import train

        return train(self, config, data, session)

    def compile(self, model, phase, config, data, jit_compile):
        from .train import compile_for

        compile_for(model, phase, config, jit_compile)

    def evaluate(self, config, run):
        from .evaluate import evaluate

        return evaluate(config, run)

    def predict(self, config, run, inputs, output, args):
        from .predict import predict

        return predict(config, run, inputs, output)

    def export(self, config, run, formats):
        from .export import export

        return export(config, run, formats)

    def load_model(self, run):
        from .model import load_trained

        return load_trained(run)

    def example_model(self, config, size):
        from .model import example_model

        return example_model(config, size)

    def add_verbs(self, verb):
        anchors = verb(
            "anchors",
            show_anchors,
            "the anchors per pyramid level (feature map, anchors per location, count) and how many of the training "
            "boxes they match; --draw PICTURE draws one location's anchors over it",
        )
        cli.config_arguments(anchors)
        anchors.add_argument("--draw", type=Path, help="a picture to draw the anchors of its centre location over")
        anchors.add_argument("--output", type=Path, default=Path("anchors.png"), help="(default: %(default)s)")


def show_anchors(task, args):
    config = task.load_config(args.config, args.overrides)
    cli.load_tensorflow(args)
    from .anchor_report import show

    show(config, task.read_data(config), args.draw, args.output)
