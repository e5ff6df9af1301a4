"""Image datasets on disk: one folder per class, or a CSV of `path,label`.

The folder layout is the one `keras.utils.image_dataset_from_directory` reads (class names are the
sorted sub-folder names). Both formats are read into the same `(paths, labels, class_names)` lists,
checked for unreadable files, and turned into tf.data by `decode_dataset`.
"""

import collections
import csv
import io
import random
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

from ..runtime.errors import UserError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif")  # what tf.io.decode_image reads
UNDECODABLE_SUFFIXES = (".webp", ".tif", ".tiff", ".heic", ".heif", ".avif", ".jp2")  # images it cannot read


def warn_undecodable(root):
    """Prints one warning when `root` holds images in formats TensorFlow cannot decode, which are left out; returns
    their count. A folder of photos from the web is often part WebP: without this line, a share of the data would
    go missing in silence."""
    found = [path for path in Path(root).rglob("*") if path.suffix.lower() in UNDECODABLE_SUFFIXES]
    if found:
        counts = collections.Counter(path.suffix.lower() for path in found)
        kinds = ", ".join(f"{count} {suffix}" for suffix, count in sorted(counts.items()))
        print(
            f"warning: {root} holds {len(found)} image(s) TensorFlow cannot decode ({kinds}, e.g. {found[0]}), "
            "left out: convert them to PNG or JPEG to use them (Pillow: Image.open(p).save(p.with_suffix('.png')))",
            file=sys.stderr,
        )
    return len(found)


def read_folder(root):
    """`root/<class>/<image>` -> `(paths, labels, class_names)`, classes in sorted order."""
    root = Path(root)
    if not root.is_dir():
        raise UserError(f"data folder {root} not found: run `sample-data` or set data.dir to your image folder")
    class_dirs = sorted(path for path in root.iterdir() if path.is_dir() and not path.name.startswith("."))
    if len(class_dirs) < 2:
        raise UserError(f"{root} must hold one sub-folder per class (at least two); found {len(class_dirs)}")
    warn_undecodable(root)
    paths, labels = [], []
    for label, folder in enumerate(class_dirs):
        files = sorted(path for path in folder.rglob("*") if path.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise UserError(f"class folder {folder} holds no images ({', '.join(IMAGE_SUFFIXES)})")
        paths += [str(path) for path in files]
        labels += [label] * len(files)
    return paths, labels, [folder.name for folder in class_dirs]


def read_csv(csv_path, class_names=None):
    """A CSV with columns `path,label` (header optional; paths relative to the CSV's folder)."""
    csv_path = Path(csv_path)
    if not csv_path.is_file():
        raise UserError(f"CSV file {csv_path} not found: set data.csv to a file of path,label rows")
    rows = []
    for number, row in enumerate(csv.reader(io.StringIO(_read_utf8(csv_path), newline="")), start=1):
        if not row or (number == 1 and [cell.strip().lower() for cell in row[:2]] == ["path", "label"]):
            continue
        if len(row) != 2:
            raise UserError(f"{csv_path} line {number}: expected 2 fields (path,label), found {len(row)}")
        rows.append((number, row[0].strip(), row[1].strip()))
    if not rows:
        raise UserError(f"{csv_path} holds no path,label rows")
    names = class_names or sorted({label for _, _, label in rows})
    index = {name: position for position, name in enumerate(names)}
    paths, labels = [], []
    for number, path, label in rows:
        if label not in index:
            raise UserError(f"{csv_path} line {number}: label {label!r} is not one of {names}")
        full = Path(path) if Path(path).is_absolute() else csv_path.parent / path
        paths.append(str(full))
        labels.append(index[label])
    return paths, labels, names


def _read_utf8(path):
    """The text of a UTF-8 file; any other encoding is a `UserError` naming the first line that is not UTF-8."""
    raw = Path(path).read_bytes()
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")  # the byte-order mark Excel's "CSV UTF-8" starts with
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise UserError(
            f"{path} line {line} is not UTF-8 (byte 0x{raw[error.start]:02x}): re-save the file with UTF-8 encoding "
            '(in Excel: "CSV UTF-8")'
        ) from None


def check_images(paths):
    """Raises a `UserError` listing every file that is missing or not a readable image."""

    def problem(path):
        try:
            with Image.open(path) as image:
                image.load()  # decodes it: verify() passes a truncated JPEG that tf.data then fails on
            return None
        except FileNotFoundError:
            return f"{path} (missing)"
        except Exception as error:  # PIL raises many types for broken files
            return f"{path} ({type(error).__name__})"

    with ThreadPoolExecutor(max_workers=8) as pool:
        bad = [found for found in pool.map(problem, paths) if found]
    if bad:
        shown = "; ".join(bad[:10]) + (f"; and {len(bad) - 10} more" if len(bad) > 10 else "")
        raise UserError(f"{len(bad)} unreadable image(s): {shown}. Remove or replace them")


def list_inputs(inputs):
    """What `predict` was given: files as they are, folders expanded to the images inside them (sorted)."""
    paths = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            paths += sorted(str(found) for found in path.rglob("*") if found.suffix.lower() in IMAGE_SUFFIXES)
        elif path.is_file():
            paths.append(str(path))
        else:
            raise UserError(f"input {path} not found: pass image files or folders of images")
    if not paths:
        raise UserError(f"no images ({', '.join(IMAGE_SUFFIXES)}) in {', '.join(map(str, inputs))}")
    check_images(paths)
    return paths


def read_rgb(path):
    """The picture at `path` as RGB pixels (height, width, 3) uint8."""
    with Image.open(path) as picture:
        return np.asarray(picture.convert("RGB"))


def split(paths, labels, validation_fraction, seed):
    """A stratified split: each class gives the same fraction to validation (at least one image)."""
    by_class = {}
    for path, label in zip(paths, labels, strict=True):
        by_class.setdefault(label, []).append(path)
    rng = random.Random(seed)
    train, val = [], []
    for label in sorted(by_class):
        members = sorted(by_class[label])
        rng.shuffle(members)
        count = max(1, round(len(members) * validation_fraction)) if validation_fraction > 0 else 0
        if count >= len(members):
            raise UserError(f"class {label} has only {len(members)} image(s): too few to split off validation")
        val += [(path, label) for path in members[:count]]
        train += [(path, label) for path in members[count:]]
    rng.shuffle(train)
    return [p for p, _ in train], [label for _, label in train], [p for p, _ in val], [label for _, label in val]


def median_size(paths, sample=200, seed=0):
    """The median (height, width) of up to `sample` images, read from headers only."""
    chosen = random.Random(seed).sample(list(paths), min(sample, len(paths)))
    heights, widths = [], []
    for path in chosen:
        with Image.open(path) as image:
            widths.append(image.width)
            heights.append(image.height)
    heights.sort()
    widths.sort()
    return heights[len(heights) // 2], widths[len(widths) // 2]
