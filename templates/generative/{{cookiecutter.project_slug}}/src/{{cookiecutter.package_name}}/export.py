"""Models for serving: requests in, images out, the sampler's whole loop inside.

- `tf_saved_model`: a SavedModel (`keras.export.ExportArchive`) with two endpoints, both drawing what `predict` draws
  for the same request:
  - `serve(requests)`: a batch of strings `CLASS:SEED` (see `requests.py`) -> `image` (uint8, batch x size x size x
    channels), `class` (its name) and `seed`;
  - `generate(labels, seeds)`: two int32 batches -> `image`.
{%- if cookiecutter.model_family == 'diffusion' %}
  A model drawn from text takes `TEXT:SEED` requests and returns `image`, `prompt` and `seed`, and its
  `generate(prompts, seeds)` takes strings: the text encoder and its tokenizer are inside.
{%- endif %}
- `keras`: `model.keras`, the networks and their weights, with `labels.json` (the class names, in label order).
"""

import keras
import tensorflow as tf

from .requests import class_table, {{ 'parse_prompts_tensor, ' if cookiecutter.model_family == 'diffusion' }}parse_tensor
from .runtime import exports
from .runtime.errors import UserError
from .sampling import Sampler
from .trained import load_trained

FORMATS = ("keras", "tf_saved_model")  # ONNX and LiteRT hold one network, not a sampling loop around it


{% if cookiecutter.model_family == 'diffusion' -%}
def text_archive(sampler, encoder):
    """The SavedModel of a model drawn from text: the encoder turns the prompts into what the sampler is told."""
    archive = keras.export.ExportArchive()
    for tracked in (sampler.model, encoder.backbone, encoder.preprocessor):
        archive.track(tracked)

    def generate(prompts, seeds):
        return {"image": sampler.serve(encoder.vectors(prompts), seeds)}

    def serve(requests):
        prompts, seeds = parse_prompts_tensor(requests)
        return {**generate(prompts, seeds), "prompt": prompts, "seed": seeds}

    archive.add_endpoint("serve", serve, input_signature=[tf.TensorSpec([None], tf.string, name="requests")])
    inputs = [tf.TensorSpec([None], tf.string, name="prompts"), tf.TensorSpec([None], tf.int32, name="seeds")]
    archive.add_endpoint("generate", generate, input_signature=inputs)
    return archive


{% endif -%}
def saved_model_archive(sampler, class_names):
    archive = keras.export.ExportArchive()
    archive.track(sampler.model)
    table = class_table(class_names)
    archive.track(table)
    names = tf.constant(class_names or [""])
    classes = max(len(class_names), 1)

    def generate(labels, seeds):
        known = tf.logical_and(labels >= 0, labels < classes)
        message = f"unknown class: ask for one of {', '.join(class_names) or 'no class (a seed alone)'}"
        with tf.control_dependencies([tf.debugging.Assert(tf.reduce_all(known), [message])]):
            return {"image": sampler.serve(labels, seeds)}

    def serve(requests):
        labels, seeds = parse_tensor(requests, table)
        if not class_names:
            labels = tf.zeros_like(seeds)
        return {**generate(labels, seeds), "class": tf.gather(names, tf.maximum(labels, 0)), "seed": seeds}

    archive.add_endpoint("serve", serve, input_signature=[tf.TensorSpec([None], tf.string, name="requests")])
    ids = [tf.TensorSpec([None], tf.int32, name="labels"), tf.TensorSpec([None], tf.int32, name="seeds")]
    archive.add_endpoint("generate", generate, input_signature=ids)
    return archive


def export(config, run, formats):
    exports.check_formats(formats)
    unsupported = [name for name in formats if name not in FORMATS]
    if unsupported:
        raise UserError(f"--format {','.join(unsupported)}: this model exports as {' or '.join(FORMATS)} only")
    trained = load_trained(run)
    sampler = Sampler(trained.model, config.sample)
    return exports.write_exports(
        trained.model,
        run.file("export"),
        formats,
{%- if cookiecutter.model_family == 'diffusion' %}
        lambda: (
            text_archive(sampler, trained.encoder)
            if trained.encoder
            else saved_model_archive(sampler, trained.class_names)
        ),
{%- else %}
        lambda: saved_model_archive(sampler, trained.class_names),
{%- endif %}
        {"class_names": trained.class_names},
    )
