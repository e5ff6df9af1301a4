"""What this project gives the shared runner (`runtime/task.py`): its verbs, and how `fit` compiles each phase."""

from .config import load
from .runtime.task import FitTask


class Segmentation(FitTask):
    name = "{{ cookiecutter.project_slug }}"
    description = "{{ cookiecutter.description }}"
    help = {
        "sample-data": "write the bundled sample dataset (images/ and masks/ folders)",
        "evaluate": "mean IoU, per-class IoU and Dice, pixel accuracy and confusion matrix on held-out pairs",
        "predict": "segment images -> colour-coded mask PNGs, overlays and predictions.csv",
        "export": "write the model for serving, preprocessing and palette inside",
    }
    monitor = "mean_iou"
    calibration_batches = 3  # a mask batch holds thousands of pixels per image: three estimate BatchNorm well

    def load_config(self, path, overrides=()):
        return load(path, overrides)

    def write_sample_data(self, directory):
        from .data import write_sample_data

        return write_sample_data(directory)

    def read_data(self, config):
        from .data import read_splits

        return read_splits(config.data, config.train.seed)

    def train(self, config, data, session):
        from .train import train

        return train(self, config, data, session)

    def compile(self, model, phase, config, data, jit_compile):
        from .train import compile_for

        compile_for(model, phase, config, data.loss_class_weights, jit_compile)

    def evaluate(self, config, run):
        from .evaluate import evaluate

        return evaluate(config, run)

    def predict(self, config, run, inputs, output, args):
        from .predict import predict

        return predict(config, run, inputs, output)

    def export(self, config, run, formats):
        from .export import export

        return export(config, run, formats)

    def example_model(self, config, size):
        from .model import example_model

        return example_model(config, size)
