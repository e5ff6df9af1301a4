"""The sampling loop every verb shares: a seed's image does not depend on its batch, and the SavedModel's
`tf.while_loop` draws what the step-by-step loop under the progress bar draws."""

import numpy as np
import tensorflow as tf

from {{ cookiecutter.package_name }}.config import Sample
from {{ cookiecutter.package_name }}.sampling import Sampler, to_pixels


class ShrinkingNoise:
    """A stand-in for a family's model: three steps that shrink the noise and add the step's fresh noise, then the
    label as brightness; enough to see that steps, seeds and labels reach the image in order."""

    latent_shape = (4, 4, 1)

    def sampling_steps(self, sample_config):
        return 3

    def sample_step(self, x, step, labels, seeds, sample_config):
        from {{ cookiecutter.package_name }} import seeded

        return 0.5 * x + 0.1 * tf.cast(step, tf.float32) * seeded.normal(seeds, self.latent_shape, step + 1)

    def decode(self, x, labels, sample_config):
        return tf.tanh(x) * 0.5 + tf.cast(labels, tf.float32)[:, None, None, None] * 0.25


def test_a_seed_draws_the_same_image_alone_or_in_any_batch():
    sampler = Sampler(ShrinkingNoise(), Sample(batch_size=2))
    batch = sampler.images([0, 1, 2, 1], [5, 6, 7, 8])
    alone = sampler.images([2], [7])
    assert batch.dtype == np.uint8 and batch.shape == (4, 4, 4, 1)
    np.testing.assert_array_equal(batch[2], alone[0])
    assert not np.array_equal(batch[1], batch[3]), "another seed, another image"


def test_the_saved_model_loop_draws_the_step_by_step_images():
    sampler = Sampler(ShrinkingNoise(), Sample(batch_size=3))
    labels, seeds = [0, 1, 2, 0, 1], [1, 2, 3, 4, 5]
    served = sampler.serve(tf.constant(labels), tf.constant(seeds)).numpy()
    np.testing.assert_array_equal(served, sampler.images(labels, seeds, progress_bar=True))


def test_pixels_span_the_model_output_range():
    pixels = to_pixels(tf.constant([-1.5, -1.0, 0.0, 1.0, 2.0])).numpy()
    assert pixels.tolist() == [0, 0, 128, 255, 255]
