"""Segmentation datasets on disk: an `images/` and a `masks/` folder, paired by file stem.

A mask is a PNG the size of its image. Either each pixel's value names its class (index masks, mode L
or P, as Pascal VOC and most tools write them: `data.classes` lists the values, or is `auto`: the values
found, named by a `labelmap.txt` or `classes.txt` beside the masks), or each pixel's colour does (RGB masks
painted in a palette, as CamVid's: `data.classes` lists the colours). An optional ignore value (Pascal VOC's
255 on object borders) marks pixels that count in no loss and no metric.

`read_pairs` pairs the files; `scan_values` decodes every pair once and reports, with file names, what
would otherwise fail deep inside training: unreadable or truncated files, sizes that differ. From the values
it found, `class_pixels` names masks with values outside the class list and counts each mask's pixels per
class, from which class weights and oversampling follow (`scan_masks` does both).
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
        raise UserError(
            f"{_count(missing, 'image')} in {images_dir} without a mask in {masks_dir}: "
            f"{_names(images[stem].name for stem in missing)}; each image needs a PNG mask of the same "
            f"file stem"
        )
    stray = sorted(masks.keys() - images.keys())
    if stray:
        raise UserError(
            f"{_count(stray, 'mask')} in {masks_dir} without an image in {images_dir}: "
            f"{_names(masks[stem].name for stem in stray)}; rename or remove them"
        )
    stems = sorted(images)
    return [str(images[stem]) for stem in stems], [str(masks[stem]) for stem in stems]


def scan_masks(image_paths, mask_paths, encoding, workers=8):
    """Decodes every pair once; returns an `(images, classes)` array of pixel counts per class.

    Raises one `UserError` naming the files for each kind of problem: unreadable or truncated, sizes that differ,
    values outside the class list.
    """
    return class_pixels(scan_values(image_paths, mask_paths, bool(encoding.colours), workers), mask_paths, encoding)


def scan_values(image_paths, mask_paths, colours=False, workers=8):
    """Decodes every pair once; returns each mask's `(keys, counts)`: the values (or, with `colours`, the packed
    colours) its pixels hold, and how many pixels hold each. Unreadable files, index masks that are not 8-bit
    single-channel and sizes that differ raise one `UserError` per kind, naming the files."""
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(lambda image, mask: _scan_pair(image, mask, colours), image_paths, mask_paths))
    for kind in ("unreadable", "mode", "size"):
        found = [detail for problem, detail in results if problem == kind]
        if found:
            raise UserError(_PROBLEMS[kind](found, None))
    return [detail for _, detail in results]


def found_values(scanned, ignore=None):
    """The distinct pixel values of index masks scanned by `scan_values`, in order, without `ignore`."""
    values = set().union(*(keys.tolist() for keys, _ in scanned)) - {ignore}
    return sorted(values)


def class_pixels(scanned, mask_paths, encoding):
    """`scan_values`' findings -> an `(images, classes)` array of pixel counts per class; masks holding values that
    are neither a class nor ignored raise one `UserError` that names them."""
    class_keys = encoding.class_keys()
    ignore = encoding.pixel_keys(np.array(encoding.ignore)).item() if encoding.ignore is not None else None
    pixels, outside = [], []
    for path, (keys, counts) in zip(mask_paths, scanned, strict=True):
        by_key = dict(zip(keys.tolist(), counts.tolist(), strict=True))
        unknown = sorted(by_key.keys() - set(class_keys) - {ignore})
        if unknown:
            outside.append((Path(path).name, [_key_text(key, encoding) for key in unknown]))
        pixels.append([by_key.get(key, 0) for key in class_keys])
    if outside:
        raise UserError(_PROBLEMS["values"](outside, encoding))
    return np.array(pixels, dtype=np.int64).reshape(len(scanned), encoding.num_classes)


def _key_text(key, encoding):
    return str(((key >> 16) & 255, (key >> 8) & 255, key & 255)) if encoding.colours else str(key)


def _scan_pair(image_path, mask_path, colours):
    try:
        with Image.open(image_path) as image:
            image.load()  # decodes it: a truncated file is named here, not in a traceback from tf.data
            image_size = image.size
    except Exception:  # PIL raises many types for broken files
        return "unreadable", str(image_path)
    try:
        with Image.open(mask_path) as mask:
            if not colours and mask.mode not in INDEX_MODES:
                return "mode", f"{Path(mask_path).name} ({mask.mode})"
            pixels = np.asarray(mask.convert("RGB") if colours else mask)
    except Exception:  # PIL raises many types for broken files
        return "unreadable", str(mask_path)
    if pixels.shape[1::-1] != image_size:
        return "size", (Path(image_path).name, image_size, Path(mask_path).name, pixels.shape[1::-1])
    if colours:
        return "ok", np.unique(_colour_keys(pixels), return_counts=True)
    counts = np.bincount(pixels.ravel(), minlength=256)  # 8-bit: one count per possible value, in one pass
    values = np.flatnonzero(counts)
    return "ok", (values, counts[values])


NAME_FILES = ("labelmap.txt", "classes.txt")  # looked for in the masks folder, then in its parent


def class_names_beside(masks_dir):
    """`(file, names)`: the class names of a `labelmap.txt` (Pascal VOC / CVAT: `name:r,g,b::` lines) or a
    `classes.txt` (one name per line) in `masks_dir` or its parent; line N names mask value N. `(None, [])` if none."""
    masks_dir = Path(masks_dir)
    for path in (folder / name for folder in (masks_dir, masks_dir.parent) for name in NAME_FILES):
        if path.is_file():
            lines = path.read_text(encoding="utf-8").splitlines()
            if path.name == "labelmap.txt":  # the `# label:color_rgb:parts:actions` header is a comment
                return path, [line.split(":")[0].strip() for line in lines if line.strip() and not line.startswith("#")]
            return path, [line.strip() for line in lines]
    return None, []


_PROBLEMS = {
    "unreadable": lambda found, _: (
        f"{_count(found, 'file')} unreadable (truncated or not an image): {_names(found)}; replace each, or remove it "
        "together with its image or mask"
    ),
    "mode": lambda found, _: (
        f"{_count(found, 'mask')} not 8-bit single-channel where data.classes gives values or is auto: "
        f"{_names(found)}; save 8-bit index PNGs (mode L or P), or list each class's colour in data.classes: "
        "{name: road, colour: [128, 64, 128]}"
    ),
    "size": lambda found, _: (
        f"{_count(found, 'mask')} not the size of its image: "
        + _names(
            f"{mask} {mask_size[0]}x{mask_size[1]} vs {image} {size[0]}x{size[1]}"
            for image, size, mask, mask_size in found
        )
        + "; a mask must have its image's width and height"
    ),
    "values": lambda found, encoding: (
        f"{_count(found, 'mask')} with values outside data.classes "
        f"({', '.join(map(str, encoding.values or encoding.colours))}"
        + (f", ignore {encoding.ignore}" if encoding.ignore is not None else "")
        + "): "
        + _names(f"{name} has {', '.join(unknown[:SHOWN])}" for name, unknown in found)
        + "; add them to data.classes or set data.ignore_value"
    ),
}


def _by_stem(folder, suffixes):
    return {path.stem: path for path in sorted(folder.iterdir()) if path.suffix.lower() in suffixes}


def _count(items, noun):
    return f"{len(items)} {noun}{'s' if len(items) != 1 else ''}"


def _names(names):
    names = list(names)
    more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    return ", ".join(names[:SHOWN]) + more
