"""The model on image files, as `evaluate`, `predict` and training's final score run it."""

import numpy as np

from .datasets import pipeline
from .runtime import device


def predict_probabilities(model, paths, batch_size):
    """Probabilities for image files, decoded by the same code as training; the model resizes. Batch by batch
    through `device.predict_on_batch`, which takes a last batch that several JAX devices do not divide."""
    size = model.get_layer("resize").height
    dataset = pipeline.image_dataset(
        paths, [0] * len(paths), (size, size), batch_size, training=False, seed=0, cache=False
    ).map(lambda images, _: images)
    return np.concatenate([device.predict_on_batch(model, images) for images in dataset.as_numpy_iterator()])
