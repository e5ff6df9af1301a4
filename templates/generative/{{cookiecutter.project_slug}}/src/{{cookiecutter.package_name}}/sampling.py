"""Images from `(class, seed)` pairs: the one sampling loop behind the grid each epoch, the scores, `predict`, the
`sample` verb and the exported SavedModel.

A family's model says how (`model.py`): the starting noise's shape, how many steps refine it (a diffusion model's
denoising steps; none for a VAE's decoder or a GAN's generator), one step, and how the result becomes an image. Here
the steps run one traced call at a time under a progress bar; the export runs the same step function inside a
`tf.while_loop`, so a served image is `predict`'s image.

>>> sampler = Sampler(model, config.sample)
>>> pixels = sampler.images([0, 0, 3], seeds=[1, 2, 3], progress_bar=True)  # (3, size, size, channels) uint8

What each image is drawn by, its condition, is a label (0 without classes), or a caption's sentence vector for a
diffusion model drawn from text (`model.condition_spec`).
"""

import numpy as np
import tensorflow as tf

from . import seeded
from .runtime import progress


def to_pixels(images):
    """Model output in [-1, 1] -> uint8 pixels."""
    return tf.cast(tf.round((tf.clip_by_value(images, -1.0, 1.0) + 1.0) * 127.5), tf.uint8)


def condition_spec(model):
    """The `tf.TensorSpec` of a batch of conditions: labels, unless the model says otherwise."""
    return getattr(model, "condition_spec", tf.TensorSpec((None,), tf.int32))


class Sampler:
    """Draws images with `model` as `sample_config` (`config.sample`) says: method, steps, guidance, batch size."""

    def __init__(self, model, sample_config):
        self.model = model
        self.config = sample_config
        self.steps = model.sampling_steps(sample_config)
        latent = tf.TensorSpec((None, *model.latent_shape), tf.float32)
        ids, conditions = tf.TensorSpec((None,), tf.int32), condition_spec(model)
        self.start = tf.function(lambda seeds: seeded.normal(seeds, model.latent_shape, 0), input_signature=[ids])
        self.step = tf.function(
            lambda x, step, conditions, seeds: model.sample_step(x, step, conditions, seeds, sample_config),
            input_signature=[latent, tf.TensorSpec((), tf.int32), conditions, ids],
        )
        self.finish = tf.function(
            lambda x, conditions: to_pixels(model.decode(x, conditions, sample_config)),
            input_signature=[latent, conditions],
        )
        self.serve = tf.function(self._loop, input_signature=[conditions, ids])

    def images(self, conditions, seeds, progress_bar=False):
        """uint8 images `(n, size, size, channels)` for `conditions` and `seeds` (n of each), drawn
        `sample.batch_size` at a time; `progress_bar` shows the steps done."""
        conditions = np.asarray(conditions, condition_spec(self.model).dtype.as_numpy_dtype)
        seeds = np.asarray(seeds, np.int32)
        size = self.config.batch_size
        starts = range(0, len(seeds), size)
        bar = progress.bar(len(starts) * max(self.steps, 1), unit_name="step") if progress_bar else None
        drawn = []
        for start in starts:
            batch_conditions, batch_seeds = conditions[start : start + size], seeds[start : start + size]
            x = self.start(batch_seeds)
            for step in range(self.steps):
                x = self.step(x, tf.constant(step, tf.int32), batch_conditions, batch_seeds)
                if bar:
                    bar.add(1)
            drawn.append(self.finish(x, batch_conditions).numpy())
            if bar and not self.steps:
                bar.add(1)
        return np.concatenate(drawn)

    def _loop(self, conditions, seeds):
        """`images` in one traced function, for serving (`self.serve`): the steps in a `tf.while_loop`."""
        x = self.start(seeds)
        if self.steps:
            _, x = tf.while_loop(
                lambda step, x: step < self.steps,
                lambda step, x: (step + 1, self.step(x, step, conditions, seeds)),
                (tf.constant(0, tf.int32), x),
            )
        return self.finish(x, conditions)
