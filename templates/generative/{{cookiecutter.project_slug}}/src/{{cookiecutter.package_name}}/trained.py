"""What a finished run holds besides `model.keras`: the judge that scores its samples and `classes.json` (the class
names in label order, the image size and channels), read back by `evaluate`, `predict`, `sample` and `export`; and
for a model drawn from text, the text encoder its `config.yaml` names."""

import dataclasses

import keras

from . import model  # noqa: F401  (registers the model's class, which model.keras names)
from .runtime.files import read_json, write_json
{%- if cookiecutter.model_family == 'diffusion' %}
from .text_encoder import load_encoder
{%- endif %}


@dataclasses.dataclass
class Trained:
    model: keras.Model
    class_names: list
    image_size: int
    channels: int
    encoder: object = None  # drawn from text: the `TextEncoder` that turns prompts into what the model is told

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
{%- if cookiecutter.model_family == 'diffusion' %}
    text = run.saved_config().get("text", {})
    encoder = load_encoder(text["encoder"], text["sequence_length"]) if text.get("encoder") else None
    return Trained(trained, saved["class_names"], saved["image_size"], saved["channels"], encoder)
{%- else %}
    return Trained(trained, saved["class_names"], saved["image_size"], saved["channels"])
{%- endif %}


def load_judge(run):
    return keras.saving.load_model(run.file("judge.keras"))
