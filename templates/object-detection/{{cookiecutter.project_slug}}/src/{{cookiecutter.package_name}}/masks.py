"""Instance masks: one per object, read from COCO segmentations or from index-mask PNGs, held as COCO run-lengths.

- COCO: an annotation's `segmentation` is polygons (`[[x1, y1, x2, y2, ...], ...]` in pixels) or a run-length
  encoding (`{"counts": [...] or "...", "size": [height, width]}`), as pycocotools reads them.
- Index-mask PNG: one per image (`masks_dir/<image name>.png`, the image's size), whose pixel value k (1, 2, ...)
  marks the k-th object of that image in annotation order (0: no object); as an instance segmentation tool exports.

Every mask is kept as pycocotools' compressed run-length dict (`{"size": [h, w], "counts": bytes}`): a few hundred
bytes an object, where a decoded mask takes its image's pixels. The training pipeline paints them into one map of
object numbers per picture (`instance_map`; where two overlap, the later one's, as an index-mask PNG has it);
evaluation compares them by pycocotools' mask IoU.

    rle = encode(binary_mask)                         # (h, w) bool -> run-length dict
    rles = from_index_png(path, count=3, width=640, height=480)
    number_map = instance_map(rles, size=256, scale=0.4)  # (256, 256) int32: k + 1 where object k is, else 0
"""

import warnings

import numpy as np
from PIL import Image

from .runtime.errors import UserError

OUTSIDE_TOLERANCE = 1.0  # pixels a polygon's vertex may lie outside its image (rounding of exported coordinates)


def encode(binary):
    """(h, w) bool or 0/1 array -> pycocotools' compressed run-length dict."""
    from pycocotools import mask as coco_mask

    return coco_mask.encode(np.asfortranarray(np.asarray(binary, dtype=np.uint8)))


def decode(rle):
    """Run-length dict -> (h, w) bool."""
    from pycocotools import mask as coco_mask

    with warnings.catch_warnings():  # pycocotools' own array copy, which NumPy 2 warns about on every call
        warnings.simplefilter("ignore", DeprecationWarning)
        return coco_mask.decode(rle).astype(bool)


def from_coco(segmentation, width, height, place):
    """A COCO `segmentation` (polygons or run-lengths) of an object in a `width` x `height` image -> run-length dict.
    `place` names the annotation in messages."""
    from pycocotools import mask as coco_mask

    if isinstance(segmentation, list):
        polygons = [polygon for polygon in segmentation if isinstance(polygon, list)]
        if not polygons or len(polygons) != len(segmentation) or any(len(p) < 6 or len(p) % 2 for p in polygons):
            raise UserError(f"{place}: segmentation polygons must be lists of x, y pairs, 3 points or more")
        points = np.array([value for polygon in polygons for value in polygon], dtype=np.float64).reshape(-1, 2)
        if not np.isfinite(points).all():
            raise UserError(f"{place}: segmentation polygon holds a value that is not a finite number")
        low, high = points.min(axis=0), points.max(axis=0)
        if (low < -OUTSIDE_TOLERANCE).any() or (high > np.array([width, height]) + OUTSIDE_TOLERANCE).any():
            raise UserError(
                f"{place}: segmentation polygon reaches ({low[0]:g}, {low[1]:g})-({high[0]:g}, {high[1]:g}), outside "
                f"the {width} x {height} image: annotate the image as stored"
            )
        return coco_mask.merge(coco_mask.frPyObjects(polygons, height, width))
    if isinstance(segmentation, dict) and "counts" in segmentation and "size" in segmentation:
        if list(segmentation["size"]) != [height, width]:
            raise UserError(
                f"{place}: segmentation run-lengths are of size {segmentation['size']} (height, width), its image "
                f"is {height} x {width}: encode the mask at the image's size"
            )
        counts = segmentation["counts"]
        if isinstance(counts, list):  # uncompressed, as COCO stores crowd regions
            return coco_mask.frPyObjects(segmentation, height, width)
        return {"size": [height, width], "counts": counts.encode("ascii") if isinstance(counts, str) else counts}
    raise UserError(
        f"{place}: segmentation must be polygons or run-lengths (counts and size), found {segmentation!r:.60}"
    )


def from_index_png(path, count, width, height):
    """The `count` objects' masks of one index-mask PNG (values 1..count) of a `width` x `height` image."""
    if count == 0 and not path.exists():
        return []  # a picture without objects needs no index mask
    try:
        with Image.open(path) as picture:
            numbers = np.asarray(picture)
    except FileNotFoundError:
        raise UserError(f"{path} not found: each annotated image needs its index mask when masks are on") from None
    except OSError:
        raise UserError(f"{path} is not an image Pillow can open: replace it with the index mask PNG") from None
    if numbers.ndim != 2:
        raise UserError(f"{path} has {numbers.shape[-1]} channels: an index mask has one (object numbers 0, 1, ...)")
    if numbers.shape != (height, width):
        raise UserError(
            f"{path} is {numbers.shape[1]} x {numbers.shape[0]} pixels, its image {width} x {height}: an index mask "
            f"is the size of its image"
        )
    found = set(np.unique(numbers).tolist()) - {0}
    extra = sorted(number for number in found if number > count)
    if extra:
        raise UserError(
            f"{path}: object number(s) {extra} have no box (the image has {count}): every mask needs its box, in "
            f"annotation order"
        )
    missing = sorted(set(range(1, count + 1)) - found)
    if missing:
        raise UserError(f"{path}: box(es) {missing} of {count} have no pixels in the mask: every box needs its mask")
    return [encode(numbers == number) for number in range(1, count + 1)]


def instance_map(rles, size, scale):
    """The objects of one picture painted, in order, into the `size` x `size` letterboxed input (the picture scaled
    by `scale`, top left): (size, size) int32, k + 1 where object k is, 0 elsewhere. Nearest-neighbour scaling."""
    numbers = np.zeros((size, size), np.int32)
    if not rles:
        return numbers
    height, width = rles[0]["size"]
    rows = np.minimum((np.arange(min(size, round(height * scale))) + 0.5) / scale, height - 1).astype(int)
    columns = np.minimum((np.arange(min(size, round(width * scale))) + 0.5) / scale, width - 1).astype(int)
    for number, rle in enumerate(rles, start=1):
        scaled = decode(rle)[np.ix_(rows, columns)]
        numbers[: len(rows), : len(columns)][scaled] = number
    return numbers
