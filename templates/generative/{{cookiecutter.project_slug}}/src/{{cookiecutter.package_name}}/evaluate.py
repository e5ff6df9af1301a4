"""`evaluate RUN`: the run's samples scored again by its judge against the held-out real images, and drawn
(`RUN/samples.png`): KID, conditional accuracy (conditional models) and diversity, from the same seeds as at the end
of training, so the numbers repeat."""

from . import data as data_lib
from .judge import judge_accuracy
from .scoring import Judgement, score_run
from .trained import load_judge, load_trained


def evaluate(config, run):
    data = data_lib.read_data(config)
    trained = load_trained(run)
    judge = load_judge(run)
    judgement = Judgement.of_held_out(judge, data, config.train.seed)
    scores = score_run(trained.model, config, judgement, data, run, tag="evaluated")
    scores["judge_accuracy"] = judge_accuracy(judge, data, config.train.seed)
    print(", ".join(f"{name} {value:.4f}" for name, value in scores.items()))
    return scores
