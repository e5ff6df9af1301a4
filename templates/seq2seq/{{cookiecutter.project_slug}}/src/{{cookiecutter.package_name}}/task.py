"""What this project gives the shared runner (`runtime/task.py`): its verbs, and how `fit` compiles its one phase."""

from .config import load
from .runtime.task import TRAINING_KNOBS, FitTask


class SequenceToSequence(FitTask):
    name = "{{ cookiecutter.project_slug }}"
    description = "{{ cookiecutter.description }}"
    help = {
        "sample-data": "write the bundled samples: date pairs (spelled-out -> ISO 8601) and captioned pictures",
        "evaluate": "BLEU, chrF and exact match on the held-out pairs; translations.tsv and attention maps",
        "predict": "translate sentences (arguments, text files, or - for stdin), or caption pictures -> printed and "
        "predictions.csv",
        "predict-inputs": "sentences, text files of one sentence per line, or - for stdin; a captioner: pictures or "
        "folders of them",
        "export": "write the model for serving: a SavedModel from source strings (or image files) to target strings",
    }
    summary_size = ("vocabulary", "tokens in each vocabulary", 1000)
    monitor = "bleu"  # `val_bleu`, which `scoring.EpochTranslations` puts in the logs every epoch
    hparams = (
        "model.architecture",
        "model.units",
        "model.layers",
        "model.cell",
        "model.attention",
        "model.dropout",
        *TRAINING_KNOBS,
        "data.batch_size",
        "tokenizer.source.kind",
        "tokenizer.target.kind",
        "decode.strategy",
    )
    scores = ("bleu", "chrf", "exact_match", "epoch_val_bleu", "epoch_val_loss")
    gap_metric = "accuracy"  # BLEU is measured on validation only; token accuracy on both

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
        parser.add_argument("--attention", action="store_true", help="also draw each translation's attention map")
        parser.add_argument(
            "--text", action="store_true", help="take every INPUT as a sentence, even one that looks like a file or -"
        )

    def predict(self, config, run, inputs, output, args):
        from .predict import predict

        return predict(config, run, inputs, output, attention=args.attention, as_text=args.text)

    def export(self, config, run, formats):
        from .export import export

        return export(config, run, formats)

    def load_model(self, run):
        from .model import load_model

        return load_model(run.file("model.keras"))

    def example_model(self, config, size):
        from .model import example_model

        return example_model(config, size)
