"""`{{ cookiecutter.project_slug }} <verb>`: sample-data, train, evaluate, predict, export, summary, info, tokens{{ ', generate' if cookiecutter.model_family == 'gpt' }}."""

from .runtime import cli
from .task import {{ 'TextClassification' if cookiecutter.model_family == 'bert' else 'TextGeneration' }} as Task


def main(argv=None):
    return cli.main(Task(), argv)
