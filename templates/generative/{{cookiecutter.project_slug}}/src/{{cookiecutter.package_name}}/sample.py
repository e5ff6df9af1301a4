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
    count = config.sample.count
    if trained.encoder:
        if not prompts:
            raise UserError("this model draws from text: say what to draw with --text, e.g. --text 'a small star'")
        names = list(prompts)
        conditions = trained.encoder.embed([prompt for prompt in names for _ in range(count)])
        rows = [index for index in range(len(names)) for _ in range(count)]
    else:
        if prompts:
            raise UserError("--text: this model draws by class (or freely), not from text; use --class")
        names = list(classes) or trained.class_names
        rows = [trained.class_names.index(name) for name in names for _ in range(count)] or [0] * count
        conditions = rows
    seeds = [first_seed + index % count for index in range(len(rows))]
    pixels = Sampler(trained.model, config.sample).images(conditions, seeds, progress_bar=True)
    row_names = names if trained.encoder else trained.class_names
    for row, seed, image in zip(rows, seeds, pixels, strict=True):
        name = row_names[row] if row_names else ""
        folder = output / (folder_name(name) if trained.encoder else name)
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image.squeeze(-1) if image.shape[-1] == 1 else image).save(folder / f"seed-{seed}.png")
    Image.fromarray(grid_picture(pixels, rows, row_names)).save(output / "grid.png")
    print(f"wrote {len(pixels)} image(s) and grid.png to {output}", file=sys.stderr)
    return output


def folder_name(prompt):
    """A prompt's folder: its words joined by hyphens ("a small star!" -> "a-small-star")."""
    return "-".join(re.findall(r"\w+", prompt))[:80] or "prompt"
