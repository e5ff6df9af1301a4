"""`anchors`: the anchors of the config on the training data, as a table and, on request, as a picture.

object_detector anchors                                  # the table, with the anchor recall of the boxes
object_detector anchors --draw data/sample/images/scene_000.png anchors.size=2
"""

import numpy as np
from PIL import Image

from . import anchors
from .data import anchor_spec, model_boxes
from .datasets.image_files import read_rgb
from .inference import letterbox


def show(config, splits, picture=None, output="anchors.png"):
    """Prints `anchors.report` for the training boxes; with `picture`, draws the anchors of the location at its
    centre, on the middle pyramid level, into `output`."""
    spec, size = anchor_spec(config.anchors), config.data.image_size
    for line in anchors.report(spec, size, model_boxes(splits.train, size)):
        print(line)
    if picture is None:
        return
    pixels, _ = letterbox(read_rgb(picture), size)
    level = (spec.min_level + spec.max_level) // 2
    cells = size // 2**level
    drawn = anchors.draw_location(np.uint8(pixels.numpy()), spec, size, level, cells // 2, cells // 2)
    Image.fromarray(drawn).save(output)
    print(f"drew the {spec.per_location()} anchors of level {level}'s centre location over {picture} to {output}")
