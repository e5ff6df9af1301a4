"""Class imbalance: weights from label counts."""

from collections import Counter


def balanced_class_weights(labels, num_classes):
    """`{class: n / (k * count)}`, the weighting that makes every class count equally in the loss."""
    counts = Counter(labels)
    total = len(labels)
    return {label: total / (num_classes * counts[label]) if counts[label] else 0.0 for label in range(num_classes)}
