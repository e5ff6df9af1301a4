"""How good the samples are, as numbers: KID, conditional accuracy and diversity of a fixed set of samples, judged
by the classifier the run trained on the same real images (`judge.py`).

The samples are drawn from fixed seeds with the classes in turn (a model drawn from text: the held-out images'
captions in turn, each sample judged against its caption's image class), so two epochs, or two runs, are scored on
the same requests. `EpochScores` puts `val_kid`, `val_class_kid`, `val_conditional_accuracy` and `val_diversity`
into each epoch's logs (the best checkpoint is the lowest class KID: see `quality.class_kid`) and draws the first
samples as the epoch's grid.
"""

import keras
import numpy as np

from . import data as data_lib
from . import judge as judging
from . import quality
from .callbacks.confusion import confusion_matrix, log_confusion_matrix
from .pictures import save_grid
from .sampling import Sampler

REAL_IMAGES = 2000  # held-out real images the samples are compared with, at most
EPOCH_SEEDS = 1_000_000  # the epoch scores' seeds start here: apart from `sample`'s and `predict`'s usual small ones


def requests(count, num_classes, first_seed=0):
    """`(labels, seeds)` of `count` samples: the classes in turn (all 0 when unconditional), seeds counting up."""
    labels = np.arange(count) % num_classes if num_classes else np.zeros(count, int)
    return labels.astype(np.int32), np.arange(first_seed, first_seed + count, dtype=np.int32)


def caption_requests(count, captions, first_seed=0):
    """`(conditions, labels, seeds)` of `count` samples drawn from text: `captions`, the `(sentence vectors,
    classes)` of held-out images, taken a class at a time in turn (the first caption of each class, then the second,
    ...); each sample should show its caption's class; seeds counting up."""
    vectors, classes = captions
    classes = np.asarray(classes)
    seen, rank = {}, np.zeros(len(classes), int)  # rank[i]: how many captions of its class come before caption i
    for index, label in enumerate(classes):
        rank[index] = seen.get(label, 0)
        seen[label] = rank[index] + 1
    chosen = np.lexsort((classes, rank))[np.arange(count) % len(vectors)]
    seeds = np.arange(first_seed, first_seed + count, dtype=np.int32)
    return vectors[chosen], classes[chosen].astype(np.int32), seeds


def as_judged(pixels):
    """uint8 pixels -> the judge's input, float32 in [-1, 1]."""
    return np.asarray(pixels, np.float32) / 127.5 - 1.0


class Judgement:
    """The judge and the real images' features, ready to score samples against.

    >>> judgement = Judgement(judge, real_images, num_classes, real_labels)  # as `data.held_out` reads them
    >>> judgement = Judgement.of_held_out(judge, data, seed)  # the same, from the data's held-out images
    >>> judgement.scores(sample_pixels, requested_labels)  # {"kid": ..., "diversity": ..., ...}
    """

    def __init__(self, judge, real_images, num_classes, real_labels=None):
        self.judge = judge
        self.num_classes = num_classes
        self.real_features = judging.features(judge, real_images)
        self.real_labels = real_labels

    @classmethod
    def of_held_out(cls, judge, data, seed):
        """Against up to REAL_IMAGES of `data`'s held-out images (`data.held_out`), with their classes."""
        real, real_labels = data_lib.held_out(data, REAL_IMAGES, seed)
        return cls(judge, real, len(data.requested_classes), real_labels)

    def scores(self, pixels, labels):
        return quality.scores(
            self.judge, as_judged(pixels), labels, self.real_features, self.num_classes, self.real_labels
        )

    def confusion(self, pixels, labels):
        """`matrix[requested class, judged class]` counts of the samples `pixels` drawn for `labels`."""
        judged = np.argmax(judging.probabilities(self.judge, as_judged(pixels)), axis=-1)
        return confusion_matrix(labels, judged, self.num_classes)


def log_class_confusion(run, judgement, pixels, labels, class_names):
    """Which class the judge sees in the samples of each requested class, as shares of each row:
    `RUN/confusion_matrix.png` and TensorBoard. Where conditional accuracy is low, it shows which classes the model
    mixes up, or which rare class it has not learnt to draw."""
    matrix = judgement.confusion(pixels, labels)
    log_confusion_matrix(run, matrix, class_names, normalise_rows=True, axis_names=("requested class", "judged class"))


def score_samples(sampler, judgement, count, first_seed=0, progress_bar=True, captions=None):
    """`(scores, pixels, labels)` of `count` samples that `sampler` draws from `first_seed` on: by class, or for a
    model drawn from text, from `captions` (see `caption_requests`)."""
    if captions is None:
        labels, seeds = requests(count, judgement.num_classes, first_seed)
        conditions = labels
    else:
        conditions, labels, seeds = caption_requests(count, captions, first_seed)
    pixels = sampler.images(conditions, seeds, progress_bar)
    return judgement.scores(pixels, labels), pixels, labels


def score_run(model, config, judgement, data, run, step=0, tag="final"):
    """The scores of `quality.samples` samples of a finished run, drawn into `RUN/samples.png` (and TensorBoard's
    `tag`, at `step`) with, when samples are asked for classes, the confusion matrix."""
    scores, pixels, labels = score_samples(
        Sampler(model, config.sample), judgement, config.quality.samples, captions=data.captions
    )
    save_grid(pixels, labels, data.requested_classes, run.logs, run.file("samples.png"), step, tag)
    if data.requested_classes:
        log_class_confusion(run, judgement, pixels, labels, data.requested_classes)
    return scores


def too_few_per_class(count, class_names, enough=8):
    """A warning when `count` epoch samples give fewer than `enough` to each class, else None: the class KID that
    keeps the best checkpoint is then estimated from a handful per class, and which epoch it picks is left to noise."""
    if not class_names or count >= enough * len(class_names):
        return None
    return (
        f"warning: quality.epoch_samples={count} gives {count // len(class_names)} samples to each of "
        f"{len(class_names)} classes, too few for a steady class KID to choose the best checkpoint by; "
        f"quality.epoch_samples={enough * len(class_names)} or more gives {enough} each"
    )


class EpochScores(keras.callbacks.Callback):
    """After each epoch: `count` samples from fixed seeds scored into the logs as `val_<score>`, and the first of
    them, a row per class, drawn as the epoch's grid (TensorBoard `samples`, and `RUN/samples/epoch-NNNN.png`).

    Put it before the shared callbacks, which log and checkpoint by what it adds. One sampler serves every epoch:
    a new one would trace its denoising step again each time, which cost as much as drawing the samples.
    """

    def __init__(self, sample_config, judgement, count, run, class_names, captions=None):
        super().__init__()
        self.sample_config, self.judgement, self.count = sample_config, judgement, count
        self.run, self.class_names, self.captions = run, class_names, captions

    def on_train_begin(self, logs=None):
        self.sampler = Sampler(self.model, self.sample_config)

    def on_epoch_end(self, epoch, logs=None):
        scores, pixels, labels = score_samples(
            self.sampler, self.judgement, self.count, EPOCH_SEEDS, False, self.captions
        )
        if logs is not None:
            logs.update({f"val_{name}": value for name, value in scores.items()})
        folder = self.run.file("samples")
        folder.mkdir(exist_ok=True)
        save_grid(pixels, labels, self.class_names, self.run.logs, folder / f"epoch-{epoch + 1:04d}.png", epoch)
