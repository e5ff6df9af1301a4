"""What `predict` and the exported model are asked for: one image per request, `CLASS:SEED`.

    circle:7    the class named circle, seed 7      (a conditional model)
    2:7         class 2 (in classes.json order), seed 7
    circle      the class, seed 0
    7           seed 7                               (an unconditional model)
{%- if cookiecutter.model_family == 'diffusion' %}
    a small star at the top:7    a prompt, seed 7  (a model drawn from text; a prompt alone: seed 0)
{%- endif %}

A seed draws the same image every time, alone or among other requests. `parse` reads requests in Python, with a
clear message for a mistake; `parse_tensor` reads them inside the SavedModel, the same way.
"""

import tensorflow as tf

from .runtime.errors import UserError


def parse(requests, class_names):
    """`(labels, seeds)` of `requests` (strings); a request this model cannot draw is a `UserError`."""
    labels, seeds = [], []
    for request in requests:
        name, colon, seed = request.rpartition(":")
        if not colon and class_names and not seed.lstrip("-").isdigit():
            name, seed = request, "0"  # a class alone
        if not seed.lstrip("-").isdigit() or not -(2**31) <= int(seed) < 2**31:
            raise UserError(f"request {request!r}: the seed {seed!r} is not a 32-bit integer (CLASS:SEED, e.g. 7)")
        labels.append(_label(request, name, class_names))
        seeds.append(int(seed))
    return labels, seeds


def _label(request, name, class_names):
    if not class_names:
        if name:
            raise UserError(f"request {request!r}: this model draws without classes; ask for a seed alone, e.g. 7")
        return 0
    if name in class_names:
        return class_names.index(name)
    if name.isdigit() and int(name) < len(class_names):
        return int(name)
    raise UserError(
        f"request {request!r}: the class {name!r} is not one of {', '.join(class_names)} "
        f"(or 0-{len(class_names) - 1}): ask for CLASS:SEED, e.g. {class_names[0]}:7"
    )


{% if cookiecutter.model_family == 'diffusion' -%}
def parse_prompts(requests):
    """`(prompts, seeds)` of requests to a model drawn from text: `TEXT:SEED`, or `TEXT` alone for seed 0."""
    prompts, seeds = [], []
    for request in requests:
        text, colon, seed = request.rpartition(":")
        if not colon or not seed.strip().lstrip("-").isdigit():
            text, seed = request, "0"
        if not text.strip():
            raise UserError(f"request {request!r}: no prompt; ask for TEXT:SEED, e.g. 'a small star:7'")
        if not -(2**31) <= int(seed) < 2**31:
            raise UserError(f"request {request!r}: the seed {seed} is not a 32-bit integer")
        prompts.append(text.strip())
        seeds.append(int(seed))
    return prompts, seeds


def parse_prompts_tensor(requests):
    """`parse_prompts` in TensorFlow ops, for the SavedModel: `(prompts, seeds)` of a batch of request strings."""
    seeded = tf.strings.regex_full_match(requests, ".*:[ ]*-?[0-9]+[ ]*")
    after = tf.strings.strip(tf.strings.regex_replace(requests, "^.*:", ""))
    prompts = tf.where(seeded, tf.strings.regex_replace(requests, ":[^:]*$", ""), requests)
    return tf.strings.strip(prompts), tf.strings.to_number(tf.where(seeded, after, "0"), tf.int32)


{% endif -%}
def class_table(class_names):
    """Class name -> label, for `parse_tensor`; -1 for any other name."""
    names = class_names or [""]
    keys = tf.lookup.KeyValueTensorInitializer(tf.constant(names), tf.range(len(names), dtype=tf.int32))
    return tf.lookup.StaticHashTable(keys, -1)


def parse_tensor(requests, table):
    """`parse` in TensorFlow ops, for the SavedModel: `(labels, seeds)` int32 of a batch of request strings. A class
    alone has seed 0; an unknown class, or none asked of a conditional model, becomes label -1."""
    colon = tf.strings.regex_full_match(requests, ".*:.*")
    seed_alone = tf.logical_and(tf.logical_not(colon), tf.strings.regex_full_match(requests, "-?[0-9]+"))
    after = tf.strings.regex_replace(requests, "^.*:", "")  # what follows the last colon
    before = tf.strings.regex_replace(requests, ":[^:]*$", "")  # what precedes it
    seeds = tf.strings.to_number(tf.where(tf.logical_or(colon, seed_alone), after, "0"), tf.int32)
    names = tf.where(colon, before, tf.where(seed_alone, "", requests))
    numbered = tf.strings.regex_full_match(names, "[0-9]+")
    labels = tf.where(numbered, tf.strings.to_number(tf.where(numbered, names, "0"), tf.int32), table.lookup(names))
    return labels, seeds
