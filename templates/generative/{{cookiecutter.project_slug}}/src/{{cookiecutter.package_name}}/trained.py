"""What a finished run holds besides `model.keras`: the judge that scores its samples and `classes.json` (the class
names in label order, the image size and channels), read back by `evaluate`, `predict`, `sample` and `export`."""

import dataclasses

import keras

from . import model  # noqa: F401  (registers the model's class, which model.keras names)
from .runtime.files import read_json, write_json


@dataclasses.dataclass
class Trained:
    model: keras.Model
    class_names: list
    image_size: int
    channels: int

    @property
    def num_classes(self):
        return len(self.class_names)


def save_classes(run, data):
    write_json(
        run.file("classes.json"),
        {
            "class_names": data.class_names if data.num_classes else [],  # what the model draws by
            "image_size": data.image_size,
            "channels": data.channels,
        },
    )


def load_trained(run):
    """The run's model, uncompiled (it samples, never trains again), with its classes and image size."""
    saved = read_json(run.file("classes.json"))
    trained = keras.saving.load_model(run.file("model.keras"), compile=False)
    return Trained(trained, saved["class_names"], saved["image_size"], saved["channels"])


def load_judge(run):
    return keras.saving.load_model(run.file("judge.keras"))
