"""`predict RUN REQUEST...`: one image per request (`CLASS:SEED`, or `TEXT:SEED` for a model drawn from text; see
`requests.py`), written as PNG files beside `predictions.csv` (columns `request`, `class`, `seed`, `image`: the
PNG's name)."""

import csv
import sys

from PIL import Image

from .requests import parse{{ ', parse_prompts' if cookiecutter.model_family == 'diffusion' }}
from .runtime.files import atomic_path
from .sampling import Sampler
from .trained import load_trained


def predict(config, run, inputs, output):
    """Draws `inputs`' images into the folder `output`; returns the table's path."""
    trained = load_trained(run)
{%- if cookiecutter.model_family == 'diffusion' %}
    if trained.encoder:
        prompts, seeds = parse_prompts(inputs)
        conditions, classes = trained.encoder.embed(prompts), [""] * len(seeds)
    else:
        conditions, seeds = parse(inputs, trained.class_names)
        classes = [trained.class_names[label] if trained.class_names else "" for label in conditions]
{%- else %}
    conditions, seeds = parse(inputs, trained.class_names)
    classes = [trained.class_names[label] if trained.class_names else "" for label in conditions]
{%- endif %}
    pixels = Sampler(trained.model, config.sample).images(conditions, seeds, progress_bar=True)
    output.mkdir(parents=True, exist_ok=True)
    rows = []
    for index, (request, name, seed, image) in enumerate(zip(inputs, classes, seeds, pixels, strict=True)):
        file = f"{index:04d}-{name or 'sample'}-{seed}.png"
        with atomic_path(output / file) as temporary:
            Image.fromarray(image.squeeze(-1) if image.shape[-1] == 1 else image).save(temporary, format="PNG")
        rows.append([request, name, seed, file])
    table = output / "predictions.csv"
    with atomic_path(table) as temporary, open(temporary, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["request", "class", "seed", "image"])
        writer.writerows(rows)
    print(f"wrote {len(rows)} image(s) and {table}", file=sys.stderr)
    return table
