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
    names = list(classes) or trained.class_names
    count = config.sample.count
    labels = [trained.class_names.index(name) for name in names for _ in range(count)] or [0] * count
    seeds = [first_seed + index % count for index in range(len(labels))]
    pixels = Sampler(trained.model, config.sample).images(labels, seeds, progress_bar=True)
    for label, seed, image in zip(labels, seeds, pixels, strict=True):
        folder = output / trained.class_names[label] if trained.class_names else output
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image.squeeze(-1) if image.shape[-1] == 1 else image).save(folder / f"seed-{seed}.png")
    Image.fromarray(grid_picture(pixels, labels, trained.class_names)).save(output / "grid.png")
    print(f"wrote {len(pixels)} image(s) and grid.png to {output}", file=sys.stderr)
    return output
