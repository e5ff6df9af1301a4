"""`{{ cookiecutter.project_slug }} <verb>`: sample-data, train, evaluate, predict, export, summary, info."""

from . import config
from .runtime import cli

DESCRIPTIONS = {
    "sample-data": "write the bundled samples: date pairs (spelled-out -> ISO 8601) and captioned pictures",
    "evaluate": "BLEU, chrF and exact match on the held-out pairs; translations.tsv and attention maps",
    "predict": "translate sentences (arguments, text files, or - for stdin), or caption pictures -> printed and "
               "predictions.csv",
    "predict-inputs": "sentences, text files of one sentence per line, or - for stdin; a captioner: pictures or "
                      "folders of them",
    "export": "write the model for serving: a SavedModel from source strings (or image files) to target strings",
}


def predict_arguments(parser):
    parser.add_argument("--attention", action="store_true", help="also draw each translation's attention map")


def main(argv=None):
    commands = cli.project_commands(config.load, DESCRIPTIONS, predict_arguments,
                                    summary_size=("vocabulary", "tokens in each vocabulary", 1000))
    return cli.main("{{ cookiecutter.project_slug }}", "{{ cookiecutter.description }}", commands, argv)
