"""`evaluate RUN`: the run's network on `evaluate.episodes` held-out greedy episodes (no exploration unless
`evaluate.epsilon` asks for it); `evaluation.csv` and GIFs in the run folder (see `scoring.py`)."""

from .data import env_spec
from .model import load_run_network
from .scoring import evaluate_model, report


def evaluate(config, run):
    """Plays, writes and prints; returns the metrics (the runner writes `metrics.json`)."""
    metrics = evaluate_model(load_run_network(run), config, run, env_spec(config.env))
    print(report(metrics))
    return metrics
