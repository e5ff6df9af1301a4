"""`{{ cookiecutter.project_slug }} <verb>`: sample-data, train, evaluate, predict, export, summary, info."""

from . import config
from .runtime import cli

DESCRIPTIONS = {
    "sample-data": "write the bundled sample dataset (one folder per class)",
    "evaluate": "accuracy, top-k, per-class P/R/F1 and confusion matrix on held-out data",
    "predict": "classify images -> predictions.csv (--explain: Grad-CAM)",
    "export": "write the model for serving, preprocessing and labels inside",
}


def predict_arguments(parser):
    parser.add_argument("--explain", action="store_true", help="also write Grad-CAM heat maps")


def main(argv=None):
    commands = cli.project_commands(config.load, DESCRIPTIONS, predict_arguments)
    return cli.main("{{ cookiecutter.project_slug }}", "{{ cookiecutter.description }}", commands, argv)
