"""`{{ cookiecutter.project_slug }} <verb>`: sample-data, train, evaluate, predict, export, anchors, summary, info."""

from .runtime import cli
from .task import ObjectDetection


def main(argv=None):
    return cli.main(ObjectDetection(), argv)
