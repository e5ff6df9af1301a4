"""The model on image files, as `evaluate`, `predict`, `export` and training's final score run it: masks at each
picture's own size, and the mask PNGs they are written as."""

import numpy as np
import tensorflow as tf
from PIL import Image

from .datasets import pipeline
from .runtime import device
from .runtime.progress import bar as progress_bar


def at_input_size(probabilities, height, width):
    """Probabilities (batch, h, w, classes) at model size -> `(probabilities, class indices)` at (height, width):
    bilinear, then argmax. `predict`, `evaluate` and the SavedModel all resize here, so their masks agree."""
    probabilities = tf.image.resize(probabilities, tf.stack([height, width]), method="bilinear")
    return probabilities, tf.argmax(probabilities, axis=-1, output_type=tf.int32)


def read_picture(path):
    with Image.open(path) as picture:
        return np.asarray(picture.convert("RGB"))


def predicted_masks(model, image_paths, batch_size):
    """Yields `(path, mask)` per image: class indices, uint8, at the picture's own size."""
    size = model.get_layer("resize").height
    dataset = pipeline.image_dataset(
        image_paths, [0] * len(image_paths), (size, size), batch_size, training=False, seed=0, cache=False
    ).map(lambda images, _: images)
    bar = progress_bar(len(image_paths), unit_name="image")
    paths = iter(image_paths)
    for batch in dataset.as_numpy_iterator():  # arrays every backend's model takes, JAX's too
        probabilities = device.predict_on_batch(model, batch)
        for row in probabilities:
            path = next(paths)
            with Image.open(path) as picture:  # the header only: the pixels were decoded by the dataset
                width, height = picture.size
            _, indices = at_input_size(row[None], height, width)
            yield path, indices[0].numpy().astype(np.uint8)
        bar.add(len(probabilities))


def mask_values(data_config):
    """The PNG value of each class: its mask value, or its index when classes are given by colour."""
    if data_config.classes[0].value is not None:
        return [mask_class.value for mask_class in data_config.classes]
    return list(range(len(data_config.classes)))


def png_palette(values, colours):
    """(256, 3) uint8: the colour of each mask value, black where no class has that value."""
    palette = np.zeros((256, 3), dtype=np.uint8)
    palette[np.asarray(values)] = colours
    return palette


def mask_png(indices, values, colours):
    """Class indices (H, W) -> a mode "P" image of the classes' values, painted in their colours."""
    image = Image.fromarray(np.asarray(values, dtype=np.uint8)[indices], mode="P")
    image.putpalette(png_palette(values, colours).ravel().tolist())
    return image
