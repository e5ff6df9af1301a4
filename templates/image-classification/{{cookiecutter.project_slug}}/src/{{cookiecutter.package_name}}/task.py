"""What this project gives the shared runner (`runtime/task.py`): its verbs, and how `fit` compiles each phase."""

from .config import load
from .runtime.task import TRAINING_KNOBS, FitTask


class ImageClassification(FitTask):
    name = "{{ cookiecutter.project_slug }}"
    description = "{{ cookiecutter.description }}"
    help = {
        "sample-data": "write the bundled sample dataset (one folder per class)",
        "evaluate": "accuracy, top-k, per-class P/R/F1 and confusion matrix on held-out data",
        "predict": "classify images -> predictions.csv (--explain: Grad-CAM)",
        "export": "write the model for serving, preprocessing and labels inside",
    }
    monitor = "accuracy"
    hparams = (
        "model.backbone",
        "model.weights",
        "model.blocks",
        "model.dropout",
        *TRAINING_KNOBS,
        "train.finetune_epochs",
        "train.finetune_learning_rate",
        "data.batch_size",
        "data.image_size",
        "augment.mix",
        "augment.rand_augment",
    )
    scores = ("accuracy", "macro_f1", "epoch_val_accuracy", "epoch_val_loss")

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

        compile_for(model, phase, config, jit_compile)

    def evaluate(self, config, run):
        from .evaluate import evaluate

        return evaluate(config, run)

    def add_predict_arguments(self, parser):
        parser.add_argument("--explain", action="store_true", help="also write Grad-CAM heat maps")

    def predict(self, config, run, inputs, output, args):
        from .predict import predict

        return predict(run, inputs, output, explain=args.explain)

    def export(self, config, run, formats):
        from .export import export

        return export(run, formats)

    def load_model(self, run):
        # importing the model module registers the layers model.keras holds
        from . import model  # noqa: F401

        return super().load_model(run)

    def example_model(self, config, size):
        from .model import example_model

        return example_model(config, size)
