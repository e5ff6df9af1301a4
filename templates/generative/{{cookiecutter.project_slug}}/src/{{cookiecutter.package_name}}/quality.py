"""How good the samples are, measured with the judge's features and predictions.

- `kid`: Kernel Inception Distance (Binkowski et al., 2018), the unbiased squared MMD between real and generated
  features under the kernel k(x, y) = (x.y / d + 1)^3; 0 when both come from one distribution, lower is better.
  Unlike FID, for independent draws it has no bias from the sample count: a hundred samples per epoch rank models.
- `diversity`: how spread out the samples are compared with real images; near 0 when every sample is the same
  picture (mode collapse), near 1 when they vary as much as the data.
- `conditional_accuracy`: the share of samples the judge puts in the class they were asked for.

    >>> scores(judge, images, requested_labels, real_features, num_classes=6)
    {'kid': 0.012, 'diversity': 0.93, 'conditional_accuracy': 0.97}
"""

import keras
import numpy as np

from .judge import features
from .judge import probabilities as class_probabilities


def _kernel(x, y):
    return (keras.ops.matmul(x, keras.ops.transpose(y)) / keras.ops.shape(x)[-1] + 1.0) ** 3


def _mean_off_diagonal(kernel):
    count = keras.ops.shape(kernel)[0]
    return (keras.ops.sum(kernel) - keras.ops.trace(kernel)) / (count * (count - 1.0))


def kid(real_features, fake_features):
    """KID: the unbiased squared MMD of the two sets, which may differ in size: the mean kernel between two different
    members of each set (every pair), minus twice the mean between the sets.

    All pairs, not the paper's mean over random subsets of equal size: the same expectation with less variance, and
    no subset draw that shifts every score of a run alike (a fixed draw of 96 of the real images, to match 96 epoch
    samples, moved every epoch's KID of a run by the same amount).

    Unbiased for independent draws. Samples asked for the classes in turn are not: fewer of their pairs share a class
    than chance would give (15 of 95 for 16 samples of each of 6 classes, not 1 in 6), and as the judge's features
    cluster by class, their KID reads lower than a larger set's, by about 0.45 for 96 samples of the sample data and
    0.05 for 1,000. Compare KIDs of equally many samples."""
    real = keras.ops.convert_to_tensor(np.asarray(real_features, np.float64))
    fake = keras.ops.convert_to_tensor(np.asarray(fake_features, np.float64))
    within = _mean_off_diagonal(_kernel(real, real)) + _mean_off_diagonal(_kernel(fake, fake))
    return float(within - 2.0 * keras.ops.mean(_kernel(real, fake)))


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


def scores(judge, images, requested_labels, real_features, num_classes):
    """`kid` and `diversity` of the generated `images`, and `conditional_accuracy` when there are classes."""
    fake_features = features(judge, images)
    result = {"kid": kid(real_features, fake_features), "diversity": diversity(fake_features, real_features)}
    if num_classes:
        result["conditional_accuracy"] = conditional_accuracy(class_probabilities(judge, images), requested_labels)
    return result
