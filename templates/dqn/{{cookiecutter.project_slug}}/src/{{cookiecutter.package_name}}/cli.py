"""`{{ cookiecutter.project_slug }} <verb>`: sample-data, train, evaluate, predict, export, summary, info."""

from . import config
from .runtime import cli

DESCRIPTIONS = {
    "sample-data": "write probe states and example observations of CartPole-v1 (random play)",
    "evaluate": "mean greedy return over evaluate.episodes held-out episodes; evaluation.csv and GIFs",
    "predict": "Q-values and the greedy action for saved observations (.npy), or greedy episodes as GIFs for "
               "seeds -> printed and predictions.csv / episodes.csv",
    "predict-inputs": ".npy files of one observation or a batch of them, or whole numbers: seeds of episodes to "
                      "play and record",
    "export": "write the network for serving: a SavedModel from observations to Q-values and actions",
}


def main(argv=None):
    commands = cli.project_commands(config.load, DESCRIPTIONS,
                                    summary_size=("actions", "actions (0: the environment's)", 0))
    return cli.main("{{ cookiecutter.project_slug }}", "{{ cookiecutter.description }}", commands, argv)
