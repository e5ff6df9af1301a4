"""`{{ cookiecutter.project_slug }} <verb>`: sample-data, train, evaluate, predict, export, summary, info."""

from .runtime import cli
from .task import ImageClassification


def main(argv=None):
    return cli.main(ImageClassification(), argv)
