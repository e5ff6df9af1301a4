"""What this project gives the shared runner (`runtime/task.py`): its verbs, and how `fit` compiles each phase."""

from .config import load
from .runtime.errors import UserError
from .runtime.task import TRAINING_KNOBS, FitTask


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
    hparams = (
        "model.encoder",
        "model.weights",
        "model.filters",
        "model.dropout",
        "loss.terms",
        *TRAINING_KNOBS,
        "train.finetune_epochs",
        "data.batch_size",
        "data.image_size",
        "data.oversample",
    )
    scores = ("mean_iou", "mean_dice", "pixel_accuracy", "epoch_val_mean_iou", "epoch_val_loss")
    calibration_batches = 3  # a mask batch holds thousands of pixels per image: three estimate BatchNorm well

    def load_config(self, path, overrides=()):
        return load(path, overrides)

    def write_sample_data(self, directory):
        from .data import write_sample_data

        return write_sample_data(directory)

    def read_data(self, config):
        from .data import read_splits

        splits = read_splits(config.data, config.train.seed)
        try:
            config.validate()  # with data.classes auto, whether sigmoid's two classes are there is known only now
        except ValueError as error:
            raise UserError(f"data.classes auto: {error}") from None
        return splits

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

    def load_model(self, run):
        # importing the model module registers the layers model.keras holds
        from . import model  # noqa: F401

        return super().load_model(run)

    def example_model(self, config, size):
        from .model import example_model

        return example_model(config, size)
