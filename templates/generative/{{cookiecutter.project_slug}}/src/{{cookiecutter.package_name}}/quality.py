"""How good the samples are, measured with the judge's features and predictions.

- `kid`: Kernel Inception Distance (Binkowski et al., 2018), the unbiased squared MMD between real and generated
  features under the kernel k(x, y) = (x.y / d + 1)^3; 0 when both come from one distribution, lower is better.
  Unlike FID it has no bias from the sample count: a hundred samples per epoch rank models.
- `class_kid`: the KID within each class, averaged (intra-class FID's counterpart, Miyato & Koyama, 2018): the
  samples asked for a class against the real images of that class. Without classes, the KID.
- `diversity`: how spread out the samples are compared with real images; near 0 when every sample is the same
  picture (mode collapse), near 1 when they vary as much as the data.
- `conditional_accuracy`: the share of samples the judge puts in the class they were asked for.

    >>> scores(judge, images, requested_labels, real_features, num_classes=6)
    {'kid': 0.012, 'class_kid': 0.05, 'diversity': 0.93, 'conditional_accuracy': 0.97}
"""

import keras
import numpy as np

from .judge import judged


def _kernel(x, y):
    return (keras.ops.matmul(x, keras.ops.transpose(y)) / keras.ops.shape(x)[-1] + 1.0) ** 3


def _mean_pair_kernel(points, labels):
    """The mean kernel between two different members of a set, as if they had been drawn independently.

    Without `labels`, the mean over every pair. With them, a set drawn class by class (the samples, a class in turn;
    the held-out images, a split kept in proportion) pairs a member with its own class less often than independent
    draws would (15 of 95 pairs for 16 of each of 6 classes, not 1 in 6), and as the judge's features cluster by
    class, that alone lowered the KID of 96 samples by 0.45 on the sample data. So the mean is taken per pair of
    classes and weighted by the classes' shares of the set."""
    kernel = _kernel(points, points)
    count = keras.ops.shape(kernel)[0]
    every_pair = (keras.ops.sum(kernel) - keras.ops.trace(kernel)) / (count * (count - 1.0))
    if labels is None:
        return every_pair
    members = np.unique(np.asarray(labels), return_inverse=True)[1]
    sizes = np.bincount(members).astype(np.float64)
    if len(sizes) == 1 or sizes.min() < 2:  # a class of one has no pair of its own to average
        return every_pair
    one_hot = keras.ops.convert_to_tensor(np.eye(len(sizes))[members])
    by_class = keras.ops.matmul(keras.ops.matmul(keras.ops.transpose(one_hot), kernel), one_hot)
    self_pairs = keras.ops.matmul(keras.ops.transpose(one_hot), keras.ops.diagonal(kernel))  # k(x, x) per class
    means = (by_class - keras.ops.diag(self_pairs)) / (np.outer(sizes, sizes) - np.diag(sizes))
    shares = sizes / sizes.sum()
    return keras.ops.sum(means * np.outer(shares, shares))


def kid(real_features, fake_features, real_labels=None, fake_labels=None):
    """KID: the unbiased squared MMD of the two sets, which may differ in size: the mean kernel between two different
    members of each set (`_mean_pair_kernel`, with the set's class labels when it was drawn class by class), minus
    twice the mean between the sets.

    All pairs, not the paper's mean over random subsets of equal size: the same expectation with less variance, and
    no subset draw that shifts every score of a run alike (a fixed draw of 96 of the real images, to match 96 epoch
    samples, moved every epoch's KID of a run by the same amount)."""
    real = keras.ops.convert_to_tensor(np.asarray(real_features, np.float64))
    fake = keras.ops.convert_to_tensor(np.asarray(fake_features, np.float64))
    within = _mean_pair_kernel(real, real_labels) + _mean_pair_kernel(fake, fake_labels)
    return float(within - 2.0 * keras.ops.mean(_kernel(real, fake)))


def class_kid(real_features, fake_features, real_labels=None, fake_labels=None):
    """The mean over classes of the KID between the samples asked for a class and the real images of that class;
    the KID itself without labels.

    The KID of the whole sets compares two mixtures of classes: samples asked for triangles that look like squares
    barely change it, as long as the mixture still looks right. Here they count against the triangles in full, so it
    rises when a checkpoint draws the wrong class as well as when it draws poorly. Classes with fewer than two
    samples or two real images have no estimate and are left out; when no class has one, the KID of the whole sets."""
    if real_labels is not None and fake_labels is not None:
        real, fake = np.asarray(real_features), np.asarray(fake_features)
        real_classes, fake_classes = np.asarray(real_labels), np.asarray(fake_labels)
        per_class = [
            kid(real[real_classes == label], fake[fake_classes == label])
            for label in np.unique(fake_classes)
            if (fake_classes == label).sum() >= 2 and (real_classes == label).sum() >= 2
        ]
        if per_class:
            return float(np.mean(per_class))
    return kid(real_features, fake_features, real_labels, fake_labels)


def _mean_distance(points):
    """The mean Euclidean distance between two different points of the set."""
    points = keras.ops.convert_to_tensor(np.asarray(points, np.float32))
    squared = keras.ops.sum(points**2, axis=-1)
    products = keras.ops.matmul(points, keras.ops.transpose(points))
    distances = keras.ops.sqrt(keras.ops.maximum(squared[:, None] + squared[None, :] - 2.0 * products, 0.0))
    count = points.shape[0]
    return float(keras.ops.sum(distances) / (count * (count - 1.0)))


def diversity(fake_features, real_features, seed=0):
    """The samples' mean pairwise feature distance over that of as many real images (a seeded subsample)."""
    count = min(len(fake_features), len(real_features))
    rng = np.random.default_rng(seed)
    fake = np.asarray(fake_features)[rng.choice(len(fake_features), count, replace=False)]
    real = np.asarray(real_features)[rng.choice(len(real_features), count, replace=False)]
    return _mean_distance(fake) / _mean_distance(real)


def conditional_accuracy(probabilities, requested_labels):
    """The share of samples whose most probable class is the one requested."""
    predicted = keras.ops.argmax(probabilities, axis=-1)
    requested = keras.ops.cast(requested_labels, predicted.dtype)
    return float(keras.ops.mean(keras.ops.cast(keras.ops.equal(predicted, requested), "float32")))


def scores(judge, images, requested_labels, real_features, num_classes, real_labels=None):
    """`kid`, `class_kid` and `diversity` of the generated `images`, and `conditional_accuracy` when there are
    classes. `real_labels`: the real images' classes (None without class folders)."""
    fake_features, fake_probabilities = judged(judge, images)
    fake_labels = requested_labels if num_classes else None  # drawn a class at a time; else independent draws
    result = {
        "kid": kid(real_features, fake_features, real_labels, fake_labels),
        "class_kid": class_kid(real_features, fake_features, real_labels, fake_labels),
        "diversity": diversity(fake_features, real_features),
    }
    if num_classes:
        result["conditional_accuracy"] = conditional_accuracy(fake_probabilities, requested_labels)
    return result
