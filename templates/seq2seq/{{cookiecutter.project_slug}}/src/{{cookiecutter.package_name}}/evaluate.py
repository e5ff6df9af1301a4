"""`evaluate RUN`: the run's translator scored on the held-out pairs (`data.test_file`, or else the validation split).

`translations.tsv` and `attention/` in the run folder show what it translated and where it looked.
"""

from . import data
from .scoring import score_held_out
from .translate import load_translator


def evaluate(config, run):
    """Scores, writes the translations and attention maps, and prints; returns the metrics (the runner writes
    `metrics.json`)."""
    translator = load_translator(run, config.decode)
    splits = data.read_splits(config.data, config.train.seed)
    metrics = score_held_out(translator, data.held_out_pairs(config.data, splits), config, run)
    print("  ".join(f"{name} {value:.3f}" for name, value in metrics.items()))
    return metrics
