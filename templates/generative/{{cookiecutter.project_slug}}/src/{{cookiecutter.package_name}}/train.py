"""Training, read top to bottom: the judge, the batches, the model, `fit` with samples scored and drawn every epoch,
then the final scores.

The judge, a classifier of the real images, is trained first and kept in the run folder (`judge.keras`): it is what
KID, conditional accuracy and diversity are measured with, so every epoch and every later `evaluate` use the same one.
The checkpoint with the lowest validation class KID (the KID within each class, averaged) becomes `model.keras`; the
run folder, resuming and `metrics.json` are the shared runner's (`runtime/training.py`).
"""

import sys

from . import data as data_lib
from .judge import judge_accuracy, train_judge, untrustworthy
from .model import build_model, compile_model
from .runtime import fitting
from .runtime.phases import Phase
from .scoring import EpochScores, Judgement, score_run, too_few_per_class
from .trained import save_classes


def compile_for(model, phase, config, jit_compile):
    compile_model(model, phase.learning_rate, config, jit_compile)


def train(task, config, data, session):
    run, seed = session.run, config.train.seed
    save_classes(run, data)
    session.announce(f"{data.describe()}; {session.setup.precision}, {session.setup.replicas} replica(s)")
    judge = train_judge(data, config, run.file("judge.keras"), seed)
    trust = judge_accuracy(judge, data, seed)
    print(f"judge: validation accuracy {trust:.3f}", flush=True)
    if warning := untrustworthy(trust, data):
        print(warning, file=sys.stderr, flush=True)
    judgement = Judgement.of_held_out(judge, data, seed)
    # At a run's first start only: a mistake found while resuming must stay the one line printed.
    if not session.resumed and (warning := too_few_per_class(config.quality.epoch_samples, data.requested_classes)):
        print(warning, file=sys.stderr, flush=True)
    # A GAN's critic takes `critic_steps` real batches per generator step: fit hands it all of them at once.
    per_step = config.data.batch_size * getattr(config.model, "critic_steps", 1)
    train_labels, val_labels = (
        (data.train_labels, data.val_labels)
        if data.num_classes
        else ([0] * len(data.train_paths), [0] * len(data.val_paths))  # drawn without classes
    )
    batches = fitting.FitData(
        train=data_lib.image_batches(
            data.train_paths, train_labels, data, per_step, True, seed, config.data.flip, data.train_text
        ),
        val=data_lib.image_batches(
            data.val_paths, val_labels, data, config.data.batch_size, False, seed, False, data.val_text
        ),
        examples=len(data.train_paths),
    )
    with session.setup.scope():
        model = build_model(config, data.image_size, data.channels, data.num_classes)
    epoch_scores = EpochScores(
        config.sample, judgement, config.quality.epoch_samples, run, data.requested_classes, data.captions
    )
    plan = [Phase("scratch", config.train.epochs, config.train.learning_rate)]
    final = fitting.fit(session, task, config, model, batches, plan, callbacks=[epoch_scores])
    metrics = {**score_run(final, config, judgement, data, run, config.train.epochs), "judge_accuracy": trust}
    print(f"finished run {run.path}: " + ", ".join(f"{name} {value:.4f}" for name, value in metrics.items()))
    return metrics
