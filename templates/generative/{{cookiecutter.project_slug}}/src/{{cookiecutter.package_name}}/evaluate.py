"""`evaluate RUN`: the run's samples scored again by its judge against the held-out real images, and drawn
(`RUN/samples.png`): KID, conditional accuracy (conditional models) and diversity, from the same seeds as at the end
of training, so the numbers repeat."""

from . import data as data_lib
from .judge import judge_accuracy
from .pictures import save_grid
from .scoring import REAL_IMAGES, Judgement, log_class_confusion, score_samples
from .trained import load_judge, load_trained


def evaluate(config, run):
    data = data_lib.read_data(config)
    trained = load_trained(run)
    real = data_lib.real_images(data.val_paths, data, REAL_IMAGES, config.train.seed)
    judge = load_judge(run)
    judgement = Judgement(judge, real, len(data.requested_classes))
    scores, pixels, labels = score_samples(
        trained.model, config.sample, judgement, config.quality.samples, captions=data.captions
    )
    save_grid(pixels, labels, data.requested_classes, run.logs, run.file("samples.png"), tag="evaluated")
    if data.requested_classes:
        log_class_confusion(run, judgement, pixels, labels, data.requested_classes)
    scores["judge_accuracy"] = judge_accuracy(judge, data, config.train.seed)
    print(", ".join(f"{name} {value:.4f}" for name, value in scores.items()))
    return scores
