"""`{{ cookiecutter.project_slug }} <verb>`: sample-data, train, evaluate, predict, export, summary, info, sample{{ ', latent' if cookiecutter.model_family == 'vae' }}."""

from .runtime import cli
from .task import ImageGeneration


def main(argv=None):
    return cli.main(ImageGeneration(), argv)
