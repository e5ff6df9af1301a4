"""The model on image files, as `evaluate`, `predict` and training's final score run it."""

from .datasets import pipeline


def predict_probabilities(model, paths, batch_size):
    """Probabilities for image files, decoded by the same code as training; the model resizes."""
    size = model.get_layer("resize").height
    dataset = pipeline.image_dataset(
        paths, [0] * len(paths), (size, size), batch_size, training=False, seed=0, cache=False
    ).map(lambda images, _: images)
    return model.predict(dataset, verbose=0)
