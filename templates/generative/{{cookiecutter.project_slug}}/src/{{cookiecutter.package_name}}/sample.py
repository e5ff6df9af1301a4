{% if cookiecutter.model_family == 'diffusion' -%}
"""`sample RUN`: many images at once, `sample.count` of each class (or in all, without classes; or of each `--text`
prompt, for a model drawn from text), as PNG files in a folder per class or prompt with a grid of them, seeds
counting up from `--seed`."""

import re
import sys

from PIL import Image

from .pictures import grid_picture
from .runtime.errors import UserError
from .sampling import Sampler
from .trained import load_trained


def sample(config, run, output, first_seed=0, classes=(), prompts=()):
    """Draws `config.sample.count` images of each of `classes` (names; default all), or of each of `prompts`, into
    `output`; returns the folder."""
    trained = load_trained(run)
    if trained.encoder:
        if not prompts:
            raise UserError("this model draws from text: say what to draw with --text, e.g. --text 'a small star'")
        rows = [index for index in range(len(prompts)) for _ in range(config.sample.count)]
        conditions = trained.encoder.embed([prompts[row] for row in rows])
        return write(config, trained, output, first_seed, rows, conditions, list(prompts), folder_name)
    if prompts:
        raise UserError("--text: this model draws by class (or freely), not from text; use --class")
{%- else -%}
"""`sample RUN`: many images at once, `sample.count` of each class (or in all, without classes), as PNG files in a
folder per class with a grid of them, seeds counting up from `--seed`."""

import sys

from PIL import Image

from .pictures import grid_picture
from .sampling import Sampler
from .trained import load_trained


def sample(config, run, output, first_seed=0, classes=()):
    """Draws `config.sample.count` images of each of `classes` (names; default all) into `output`; returns the
    folder."""
    trained = load_trained(run)
{%- endif %}
    names = list(classes) or trained.class_names
    labels = [trained.class_names.index(name) for name in names for _ in range(config.sample.count)]
    labels = labels or [0] * config.sample.count  # without classes
    return write(config, trained, output, first_seed, labels, labels, trained.class_names, str)


def write(config, trained, output, first_seed, rows, conditions, row_names, folder_of):
    """Draws an image per row (`rows`: indices into `row_names`; `conditions`: what the model is told for each) with
    seeds counting up within each row, into the folder `folder_of(name)` of its row, and the grid."""
    count = config.sample.count
    seeds = [first_seed + index % count for index in range(len(rows))]
    pixels = Sampler(trained.model, config.sample).images(conditions, seeds, progress_bar=True)
    for row, seed, image in zip(rows, seeds, pixels, strict=True):
        folder = output / folder_of(row_names[row]) if row_names else output
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image.squeeze(-1) if image.shape[-1] == 1 else image).save(folder / f"seed-{seed}.png")
    Image.fromarray(grid_picture(pixels, rows, row_names)).save(output / "grid.png")
    print(f"wrote {len(pixels)} image(s) and grid.png to {output}", file=sys.stderr)
    return output
{%- if cookiecutter.model_family == 'diffusion' %}


def folder_name(prompt):
    """A prompt's folder: its words joined by hyphens ("a small star!" -> "a-small-star")."""
    return "-".join(re.findall(r"\w+", prompt))[:80] or "prompt"
{%- endif %}
