"""Segmentation datasets on disk: an `images/` and a `masks/` folder, paired by file stem.

A mask is a PNG the size of its image. Either each pixel's value names its class (index masks, mode L
or P, as Pascal VOC and most tools write them: `data.classes` lists the values), or each pixel's colour
does (RGB masks painted in a palette, as CamVid's: `data.classes` lists the colours). An optional ignore
value (Pascal VOC's 255 on object borders) marks pixels that count in no loss and no metric.

`read_pairs` pairs the files; `scan_masks` opens every pair once and reports, with file names, what
would otherwise fail deep inside training: unreadable files, sizes that differ, values outside the class
list. It returns each mask's pixel count per class, from which class weights and oversampling follow.
"""

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

from .datasets.image_files import IMAGE_SUFFIXES
from .runtime.errors import UserError

INDEX_MODES = ("L", "P")  # 8-bit single-channel: a pixel's value is its class
SHOWN = 5  # file names quoted in one message; the count says how many more


@dataclasses.dataclass(frozen=True)
class MaskEncoding:
    """How mask pixels name classes: `values[c]` (index masks) or `colours[c]` (RGB masks) is class c.

    `ignore` is a value (or, with colours, a colour) whose pixels belong to no class.

    >>> indices, unknown = MaskEncoding(values=(0, 38), ignore=255).class_indices(np.array([[0, 38], [255, 7]]))
    >>> indices.tolist(), unknown
    ([[0, 1], [-1, -1]], [7])
    """

    values: tuple = ()
    colours: tuple = ()
    ignore: int | tuple | None = None

    def __post_init__(self):
        if bool(self.values) == bool(self.colours):
            raise ValueError("give the classes either as mask values or as palette colours")

    @property
    def num_classes(self):
        return len(self.values or self.colours)

    def pixel_keys(self, mask):
        """One integer per pixel: its value, or its colour packed as r<<16 | g<<8 | b."""
        return _colour_keys(mask) if self.colours else np.asarray(mask, dtype=np.int64)

    def class_keys(self):
        """The key of each class, in class order."""
        return self.pixel_keys(np.array(self.colours or self.values)).tolist()

    def class_indices(self, mask):
        """`mask` (H, W) values or (H, W, 3) colours -> `(indices, unknown)`: the class of each pixel, -1
        where ignored or unknown, and the values or colours that are neither a class nor ignored."""
        keys = self.pixel_keys(mask)
        indices = np.full(keys.shape, -1, dtype=np.int64)
        for index, key in enumerate(self.class_keys()):
            indices[keys == key] = index
        unknown = np.unique(keys[indices < 0])
        if self.ignore is not None:
            unknown = unknown[unknown != self.pixel_keys(np.array(self.ignore))]
        if self.colours:
            return indices, [((key >> 16) & 255, (key >> 8) & 255, key & 255) for key in unknown.tolist()]
        return indices, unknown.tolist()


def _colour_keys(colours):
    """RGB triples (..., 3) -> one integer each, so colours compare as values."""
    colours = np.asarray(colours, dtype=np.int64)
    return (colours[..., 0] << 16) | (colours[..., 1] << 8) | colours[..., 2]


def read_pairs(images_dir, masks_dir):
    """Images and their masks, paired by file stem: `photo_01.jpg` <-> `photo_01.png`."""
    images_dir, masks_dir = Path(images_dir), Path(masks_dir)
    for folder, key in ((images_dir, "data.images_dir"), (masks_dir, "data.masks_dir")):
        if not folder.is_dir():
            raise UserError(f"folder {folder} not found: run `sample-data` or set {key}")
    images = _by_stem(images_dir, IMAGE_SUFFIXES)
    masks = _by_stem(masks_dir, (".png",))
    if not images:
        raise UserError(f"{images_dir} holds no images ({', '.join(IMAGE_SUFFIXES)})")
    missing = sorted(images.keys() - masks.keys())
    if missing:
        raise UserError(f"{_count(missing, 'image')} in {images_dir} without a mask in {masks_dir}: "
                        f"{_names(images[stem].name for stem in missing)}; each image needs a PNG mask of the same "
                        f"file stem")
    stray = sorted(masks.keys() - images.keys())
    if stray:
        raise UserError(f"{_count(stray, 'mask')} in {masks_dir} without an image in {images_dir}: "
                        f"{_names(masks[stem].name for stem in stray)}; rename or remove them")
    stems = sorted(images)
    return [str(images[stem]) for stem in stems], [str(masks[stem]) for stem in stems]


def scan_masks(image_paths, mask_paths, encoding, workers=8):
    """Opens every pair once; returns an `(images, classes)` array of pixel counts per class.

    Raises one `UserError` naming the files for each kind of problem: unreadable, sizes that differ,
    values outside the class list.
    """
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(lambda image, mask: _scan_pair(image, mask, encoding), image_paths, mask_paths))
    for kind in ("unreadable", "mode", "size", "values"):
        found = [detail for problem, detail in results if problem == kind]
        if found:
            raise UserError(_PROBLEMS[kind](found, encoding))
    return np.stack([detail for _, detail in results])


def _scan_pair(image_path, mask_path, encoding):
    try:
        with Image.open(image_path) as image:
            image_size = image.size
    except OSError:
        return "unreadable", Path(image_path).name
    try:
        with Image.open(mask_path) as mask:
            if not encoding.colours and mask.mode not in INDEX_MODES:
                return "mode", f"{Path(mask_path).name} ({mask.mode})"
            pixels = np.asarray(mask.convert("RGB") if encoding.colours else mask)
    except OSError:
        return "unreadable", Path(mask_path).name
    if pixels.shape[1::-1] != image_size:
        return "size", (Path(image_path).name, image_size, Path(mask_path).name, pixels.shape[1::-1])
    indices, unknown = encoding.class_indices(pixels)
    if unknown:
        return "values", (Path(mask_path).name, unknown)
    return "ok", np.bincount(indices[indices >= 0], minlength=encoding.num_classes)


_PROBLEMS = {
    "unreadable": lambda found, _: f"{_count(found, 'file')} unreadable: {_names(found)}; re-export or remove them",
    "mode": lambda found, _: (
        f"{_count(found, 'mask')} not 8-bit single-channel where data.classes gives values: {_names(found)}; save "
        "8-bit index PNGs (mode L or P), or give each class its colour: {name: road, colour: [128, 64, 128]}"),
    "size": lambda found, _: (
        f"{_count(found, 'mask')} not the size of its image: "
        + _names(f"{mask} {mask_size[0]}x{mask_size[1]} vs {image} {size[0]}x{size[1]}"
                 for image, size, mask, mask_size in found)
        + "; a mask must have its image's width and height"),
    "values": lambda found, encoding: (
        f"{_count(found, 'mask')} with values outside data.classes "
        f"({', '.join(map(str, encoding.values or encoding.colours))}"
        + (f", ignore {encoding.ignore}" if encoding.ignore is not None else "") + "): "
        + _names(f"{name} has {', '.join(map(str, unknown[:SHOWN]))}" for name, unknown in found)
        + "; add them to data.classes or set data.ignore_value"),
}


def _by_stem(folder, suffixes):
    return {path.stem: path for path in sorted(folder.iterdir()) if path.suffix.lower() in suffixes}


def _count(items, noun):
    return f"{len(items)} {noun}{'s' if len(items) != 1 else ''}"


def _names(names):
    names = list(names)
    more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    return ", ".join(names[:SHOWN]) + more
