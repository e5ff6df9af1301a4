"""`evaluate RUN`: the run's samples scored again by its judge against the held-out real images, and drawn
(`RUN/samples.png`): KID, conditional accuracy (conditional models) and diversity, from the same seeds as at the end
of training, so the numbers repeat."""

from . import data as data_lib
from .judge import judge_accuracy
from .scoring import REAL_IMAGES, Judgement, score_run
from .trained import load_judge, load_trained


def evaluate(config, run):
    data = data_lib.read_data(config)
    trained = load_trained(run)
    real, real_labels = data_lib.held_out(data, REAL_IMAGES, config.train.seed)
    judge = load_judge(run)
    judgement = Judgement(judge, real, len(data.requested_classes), real_labels)
    scores = score_run(trained.model, config, judgement, data, run, tag="evaluated")
    scores["judge_accuracy"] = judge_accuracy(judge, data, config.train.seed)
    print(", ".join(f"{name} {value:.4f}" for name, value in scores.items()))
    return scores
