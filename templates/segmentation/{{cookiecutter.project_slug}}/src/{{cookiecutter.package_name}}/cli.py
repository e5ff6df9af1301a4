"""`{{ cookiecutter.project_slug }} <verb>`: sample-data, train, evaluate, predict, export, summary, info."""

from . import config
from .runtime import cli

DESCRIPTIONS = {
    "sample-data": "write the bundled sample dataset (images/ and masks/ folders)",
    "evaluate": "mean IoU, per-class IoU and Dice, pixel accuracy and confusion matrix on held-out pairs",
    "predict": "segment images -> colour-coded mask PNGs, overlays and predictions.csv",
    "export": "write the model for serving, preprocessing and palette inside",
}


def main(argv=None):
    commands = cli.project_commands(config.load, DESCRIPTIONS)
    return cli.main("{{ cookiecutter.project_slug }}", "{{ cookiecutter.description }}", commands, argv)
