"""The quality scores on distributions whose answer is known."""

import keras
import numpy as np
import pytest

from {{ cookiecutter.package_name }}.judge import build_judge, features, probabilities
from {{ cookiecutter.package_name }}.quality import class_kid, conditional_accuracy, diversity, kid, scores
from {{ cookiecutter.package_name }}.runtime.rundir import Run
from {{ cookiecutter.package_name }}.scoring import Judgement, as_judged, log_class_confusion, too_few_per_class


def gaussian(count, shift=0.0, seed=0, dims=16):
    return np.random.default_rng(seed).normal(shift, 1.0, size=(count, dims))


def test_kid_is_the_unbiased_squared_mmd_with_the_cubic_kernel_over_every_pair():
    real = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [0.5, 0.5]])
    fake = np.array([[1.0, 1.0], [0.0, 2.0], [3.0, 0.0]])  # fewer than the real ones

    def kernel(x, y):
        return (x @ y.T / 2 + 1) ** 3

    within = (kernel(real, real).sum() - np.trace(kernel(real, real))) / (4 * 3)
    within += (kernel(fake, fake).sum() - np.trace(kernel(fake, fake))) / (3 * 2)
    assert kid(real, fake) == pytest.approx(within - 2 * kernel(real, fake).mean(), rel=1e-9)


def test_kid_is_near_zero_for_one_distribution_and_grows_with_the_distance_between_two():
    real = gaussian(400)
    same = kid(real, gaussian(400, seed=1))
    shifted = [kid(real, gaussian(400, shift, seed=1)) for shift in (0.25, 0.5, 1.0)]
    assert abs(same) < 0.02
    assert same < shifted[0] < shifted[1] < shifted[2]
    assert shifted[0] > 0.05


def test_kid_of_small_sample_sets_averages_to_that_of_one_large_set():
    real = gaussian(300, seed=3) * np.linspace(0.5, 2.0, 16)  # unequal spreads: the within-set terms matter
    fake = gaussian(2000, 0.2, seed=4) * np.linspace(0.5, 2.0, 16)
    small = [kid(real, fake[start : start + 100]) for start in range(0, 2000, 100)]
    assert np.mean(small) == pytest.approx(kid(real, fake), rel=0.1)


def test_kid_with_labels_averages_the_kernel_per_pair_of_classes_weighted_by_their_shares():
    real = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [0.5, 0.5]])
    fake = np.array([[1.0, 1.0], [0.0, 2.0], [3.0, 0.0], [1.0, 2.0], [2.0, 2.0]])
    fake_labels = np.array([1, 0, 1, 0, 1])  # class 0: 2 samples, class 1: 3

    def kernel(x, y):
        return (x @ y.T / 2 + 1) ** 3

    within_real = (kernel(real, real).sum() - np.trace(kernel(real, real))) / (4 * 3)  # no labels: every pair
    by_class = [fake[fake_labels == label] for label in (0, 1)]
    mean = np.zeros((2, 2))
    for a in range(2):
        for b in range(2):
            block = kernel(by_class[a], by_class[b])
            mean[a, b] = block.mean() if a != b else (block.sum() - np.trace(block)) / (len(block) * (len(block) - 1))
    shares = np.array([2, 3]) / 5
    expected = within_real + shares @ mean @ shares - 2 * kernel(real, fake).mean()
    assert kid(real, fake, fake_labels=fake_labels) == pytest.approx(expected, rel=1e-9)


def test_kid_of_samples_drawn_a_class_at_a_time_does_not_depend_on_how_many_there_are():
    # features clustered by class, as the judge's are; samples and real images drawn class by class in turn
    centres = gaussian(6, seed=5) * 3
    real = centres[np.arange(300) % 6] + gaussian(300, seed=3) * 0.5
    fake = centres[np.arange(1920) % 6] + gaussian(1920, 0.1, seed=4) * 0.5
    real_labels, fake_labels = np.arange(300) % 6, np.arange(1920) % 6
    large = kid(real, fake, real_labels, fake_labels)
    small = [kid(real, fake[start : start + 96], real_labels, fake_labels[:96]) for start in range(0, 1920, 96)]
    assert np.mean(small) == pytest.approx(large, abs=0.1 * abs(large))
    unlabelled = [kid(real, fake[start : start + 96]) for start in range(0, 1920, 96)]
    assert np.mean(unlabelled) < large - 2.0, "without labels, 96 samples in turn read far lower"


def test_class_kid_counts_samples_drawn_as_another_class_where_the_kid_of_the_mixture_does_not():
    centres = gaussian(2, seed=5) * 3  # two classes, apart in feature space as the judge's classes are
    real_labels, fake_labels = np.arange(400) % 2, np.arange(400) % 2
    real = centres[real_labels] + gaussian(400, seed=3) * 0.5
    right = centres[fake_labels] + gaussian(400, seed=4) * 0.5
    swapped = centres[1 - fake_labels] + gaussian(400, seed=4) * 0.5  # each asked-for class drawn as the other
    drawn_as_the_other = class_kid(real, swapped, real_labels, fake_labels)
    assert abs(kid(real, swapped, real_labels, fake_labels)) < 0.01 * drawn_as_the_other  # the same mixture
    assert abs(class_kid(real, right, real_labels, fake_labels)) < 0.01 * drawn_as_the_other
    by_hand = np.mean([kid(real[real_labels == c], swapped[fake_labels == c]) for c in (0, 1)])
    assert class_kid(real, swapped, real_labels, fake_labels) == pytest.approx(by_hand, rel=1e-9)


def test_class_kid_is_the_kid_without_classes_and_leaves_out_a_class_it_cannot_estimate():
    real, fake = gaussian(50, seed=1), gaussian(41, 0.3, seed=2)
    assert class_kid(real, fake) == kid(real, fake)
    held_out_classes = np.arange(50) % 2  # an unconditional model of class folders: the held-out images' KID weights
    assert class_kid(real, fake, held_out_classes) == kid(real, fake, held_out_classes)
    real_labels, fake_labels = np.arange(50) % 2, np.r_[np.zeros(40, int), 1]  # class 1: one sample, no pair
    only_class_0 = kid(real[real_labels == 0], fake[:40])
    assert class_kid(real, fake, real_labels, fake_labels) == pytest.approx(only_class_0, rel=1e-9)


def test_too_few_epoch_samples_per_class_are_named_with_the_count_that_gives_each_class_enough():
    assert too_few_per_class(96, [f"shape{index}" for index in range(6)]) is None  # 16 each
    assert too_few_per_class(12, []) is None  # unconditional: the class KID is the KID of all samples
    warning = too_few_per_class(96, [f"species{index}" for index in range(20)])
    assert "quality.epoch_samples=96 gives 4 samples to each of 20 classes" in warning
    assert "quality.epoch_samples=160 or more" in warning


def test_diversity_is_zero_for_copies_of_one_sample_and_one_for_the_real_spread():
    real = gaussian(300)
    assert diversity(np.repeat(real[:1], 300, axis=0), real) == pytest.approx(0.0, abs=1e-3)
    assert diversity(gaussian(300, seed=1), real) == pytest.approx(1.0, abs=0.03)
    assert diversity(gaussian(300, seed=1) * 0.5, real) == pytest.approx(0.5, abs=0.03)


def test_conditional_accuracy_is_the_share_of_samples_judged_as_their_requested_class():
    judged = np.array([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.3, 0.3, 0.4], [0.6, 0.4, 0.0]])
    assert conditional_accuracy(judged, np.array([0, 1, 2, 1])) == 0.75


def test_scores_use_the_judges_features_and_add_accuracy_only_with_classes():
    judge = build_judge(16, 3, 2)
    images = np.random.default_rng(0).uniform(-1, 1, size=(20, 16, 16, 3)).astype("float32")
    real_features = features(judge, images[::-1])
    requested = np.array([0, 1] * 10)

    unconditional = scores(judge, images, requested, real_features, num_classes=0)
    assert unconditional == {
        "kid": kid(real_features, features(judge, images)),
        "class_kid": kid(real_features, features(judge, images)),
        "diversity": diversity(features(judge, images), real_features),
    }
    conditional = scores(judge, images, requested, real_features, num_classes=2)
    assert conditional["conditional_accuracy"] == conditional_accuracy(probabilities(judge, images), requested)


def colour_judge():
    """A judge that sees colour only: the mean of each channel is its feature, and the strongest channel its class."""
    images = keras.Input((8, 8, 3))
    pooled = keras.layers.GlobalAveragePooling2D(name="features")(images)
    logits = keras.layers.Dense(3, use_bias=False, kernel_initializer=keras.initializers.Identity(gain=10.0))(pooled)
    return keras.Model(images, keras.layers.Softmax(name="probabilities")(logits))


def test_the_class_confusion_counts_which_class_each_requested_class_was_judged_to_be(tmp_path):
    pixels = np.zeros((4, 8, 8, 3), np.uint8)
    for index, channel in enumerate([0, 1, 1, 2]):  # red, green, green, blue
        pixels[index, ..., channel] = 255
    judgement = Judgement(colour_judge(), as_judged(pixels), num_classes=3)
    requested = np.array([0, 0, 1, 2])  # the second "red" sample came out green
    np.testing.assert_array_equal(judgement.confusion(pixels, requested), [[1, 1, 0], [0, 1, 0], [0, 0, 1]])
    run = Run(tmp_path)
    log_class_confusion(run, judgement, pixels, requested, ["red", "green", "blue"])
    assert run.file("confusion_matrix.png").is_file() and any(run.logs.iterdir())
