"""Object-detection annotations on disk, read into one form: COCO JSON, Pascal VOC XML or YOLO txt.

- COCO: one `.json` file. Its `images` (`file_name` relative to the images folder) are the dataset; `categories`, in
  id order, are the classes; `bbox` is `[x, y, width, height]` in pixels. Crowd regions (`iscrowd: 1`) are skipped.
- Pascal VOC: a folder of `.xml` files, one per image (`filename`, `size`, `object/name`, `object/bndbox`), with
  1-based pixel indices: `xmin 1 .. xmax W` spans the whole width. Classes are the sorted object names.
- YOLO: a folder of `.txt` files named like the images (`class cx cy w h` per line, normalized to 0..1), class names
  in a `classes.txt` (one per line) or a `data.yaml` (`names:`) beside them or up to two folders above. Every image
  in the images folder belongs to the dataset: one without a `.txt` is a negative.

With `masks` on, each object also has its instance mask (`masks.py`): the COCO annotation's `segmentation`, or the
index-mask PNG of its image in `masks_dir` (any format). An object without one, a mask without its object, a polygon
outside its image and a mask file of another size than its image are errors.

Boxes come out as `x_min, y_min, x_max, y_max` in pixels of the image as stored, pixel edges included: a box
round one pixel at the origin is `0, 0, 1, 1`. Sizes are read from the image file's header, as the image is stored:
a camera's EXIF rotation is not applied, by this reader nor by the decoder that feeds the model. Boxes reaching out
of the image are clipped and counted; boxes left without width or height are dropped and counted. Every other
problem is a `UserError` naming the file (and line or annotation id) and the fix.

    dataset = read_boxes("data/images", "data/annotations.json")
    print(dataset.describe())  # coco: 240 images, 812 boxes, 5 classes
"""

import dataclasses
import json
import math
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Optional

import numpy as np
import yaml
from PIL import Image

from . import masks as instance_masks
from .coco_metrics import coco_ground_truth
from .datasets.image_files import IMAGE_SUFFIXES
from .runtime.errors import UserError

FORMATS = ("coco", "voc", "yolo")
LAYOUTS = "a COCO .json file, a folder of Pascal VOC .xml files or a folder of YOLO .txt files"
YOLO_NAMES = ("classes.txt", "data.yaml", "data.yml")
SHOWN = 5  # file names quoted in one message; the count says how many more


@dataclasses.dataclass
class AnnotatedImage:
    """One image and its boxes: `boxes` float32 (n, 4) `x_min, y_min, x_max, y_max` in pixels, clipped to the
    image; `labels` int32 (n,) indices into the dataset's classes; `masks`, when read, each box's instance mask as a
    run-length dict (`masks.py`)."""

    path: Path
    width: int
    height: int
    boxes: np.ndarray
    labels: np.ndarray
    masks: Optional[list] = None


@dataclasses.dataclass
class BoxDataset:
    """Images sorted by path, negatives (no box) included, and what reading them changed: `clipped` boxes reached
    out of their image and were cut to it, `dropped` ones had no width or height left, `crowd` COCO crowd regions
    were skipped."""

    classes: list[str]
    images: list[AnnotatedImage]
    format: str
    clipped: int = 0
    dropped: int = 0
    crowd: int = 0

    def describe(self):
        """One line: `coco: 240 images (3 without boxes), 812 boxes, 5 classes; clipped 2, dropped 1`."""
        boxes = sum(len(image.boxes) for image in self.images)
        negatives = sum(len(image.boxes) == 0 for image in self.images)
        line = f"{self.format}: {len(self.images)} images"
        line += f" ({negatives} without boxes)" if negatives else ""
        masked = " with masks" if self.images and all(image.masks is not None for image in self.images) else ""
        line += f", {boxes} boxes{masked}, {len(self.classes)} class{'' if len(self.classes) == 1 else 'es'}"
        counts = {"clipped": self.clipped, "dropped": self.dropped, "crowd regions skipped": self.crowd}
        changes = ", ".join(f"{name} {count}" for name, count in counts.items() if count)
        return line + (f"; {changes}" if changes else "")


@dataclasses.dataclass
class _Entry:
    """One image as the annotations give it, before the image file is checked: boxes unclipped, in pixels or (YOLO)
    `normalized` to 0..1, each with its class name and where it was read (for messages)."""

    path: Path
    size: tuple = (None, None)  # (width, height) as the annotations state it, if they do
    normalized: bool = False
    boxes: list = dataclasses.field(default_factory=list)
    names: list = dataclasses.field(default_factory=list)
    places: list = dataclasses.field(default_factory=list)
    segmentations: list = dataclasses.field(default_factory=list)  # COCO's, one per box (None: none given)


def detect_format(annotations):
    """`"coco"` for a `.json` file, `"voc"` for a folder holding `.xml` files, `"yolo"` for one holding `.txt`."""
    annotations = Path(annotations)
    if not annotations.exists():
        raise UserError(f"annotations {annotations} not found: give {LAYOUTS}")
    if annotations.is_file() and annotations.suffix.lower() == ".json":
        return "coco"
    if annotations.is_dir():
        suffixes = {path.suffix.lower() for path in annotations.iterdir() if path.is_file()}
        if ".xml" in suffixes:
            return "voc"
        if ".txt" in suffixes:
            return "yolo"
    raise UserError(f"annotations {annotations} are in no layout this reader knows: give {LAYOUTS}")


def read_boxes(images_dir, annotations, format="auto", classes="auto", masks=False, masks_dir=""):
    """Reads the annotations into a `BoxDataset`. `format` is "auto" (see `detect_format`) or one of `FORMATS`;
    `classes` is "auto" (the classes the annotations name) or a list of class names that every object must be in.
    `masks`: read each object's mask too, from `masks_dir` (index-mask PNGs) or, when that is empty, from COCO."""
    images_dir, annotations = Path(images_dir), Path(annotations)
    if not images_dir.is_dir():
        raise UserError(f"images folder {images_dir} not found: set the folder the annotated images are in")
    format = detect_format(annotations) if format == "auto" else format
    if format not in FORMATS:
        raise UserError(f"annotation format {format!r} is not one of auto, {', '.join(FORMATS)}")
    crowd = 0
    if format == "coco":
        entries, names, crowd = _read_coco(images_dir, annotations)
    elif format == "voc":
        entries, names = _read_voc(images_dir, annotations)
    else:
        entries, names = _read_yolo(images_dir, annotations, None if classes == "auto" else classes)
    classes = names if classes == "auto" else list(classes)
    if masks and not masks_dir and format != "coco":
        raise UserError(
            f"masks are on, and {format} annotations hold no masks: set data.masks_dir to a folder of index-mask PNGs"
        )
    masks_source = (Path(masks_dir), images_dir) if masks and masks_dir else ("coco" if masks else None)
    images, clipped, dropped = _annotated_images(entries, classes, masks_source)
    if not images or not any(len(image.boxes) for image in images):
        raise UserError(f"{annotations} holds no boxes for images in {images_dir}: a detector needs boxes to learn")
    return BoxDataset(classes, images, format, clipped, dropped, crowd)


def write_coco(path, dataset, images_dir):
    """Writes `dataset` as a COCO JSON file, image file names relative to `images_dir`, category ids from 1."""
    masked = all(image.masks is not None for image in dataset.images)
    document = coco_ground_truth(
        [(image.width, image.height, image.boxes, image.labels) for image in dataset.images],
        dataset.classes,
        [image.masks for image in dataset.images] if masked else None,
    )
    for entry, image in zip(document["images"], dataset.images, strict=True):
        entry["file_name"] = Path(image.path).relative_to(images_dir).as_posix()
    Path(path).write_text(json.dumps(document, indent=1), encoding="utf-8")


def _read_coco(images_dir, json_path):
    """`(entries, class names in category id order, crowd regions skipped)`."""
    if not json_path.is_file():
        raise UserError(f"COCO annotations {json_path} must be a .json file")
    try:
        document = json.loads(json_path.read_bytes())
    except json.JSONDecodeError as error:
        raise UserError(f"{json_path} line {error.lineno}: not valid JSON ({error.msg}); fix or re-export it") from None
    except ValueError as error:  # not UTF-8
        raise UserError(f"{json_path} is not UTF-8 JSON ({error}); re-export it") from None
    if not isinstance(document, dict) or not all(
        isinstance(document.get(key), list) for key in ("images", "annotations", "categories")
    ):
        raise UserError(f"{json_path} is not COCO: it needs lists of images, annotations and categories")
    try:
        categories = {category["id"]: str(category["name"]) for category in document["categories"]}
        entries = {
            image["id"]: _Entry(images_dir / image["file_name"], (image.get("width"), image.get("height")))
            for image in document["images"]
        }
    except (KeyError, TypeError, AttributeError) as error:
        raise UserError(
            f"{json_path}: a category needs an id and a name, an image an id and a file_name (missing {error})"
        ) from None
    crowd = 0
    for annotation in document["annotations"]:
        place = f"{json_path} annotation id {annotation.get('id')}"
        if annotation.get("iscrowd"):
            crowd += 1  # a region of many objects, one box round all: no single object to learn
            continue
        entry = entries.get(annotation.get("image_id"))
        if entry is None:
            raise UserError(f"{place}: image_id {annotation.get('image_id')!r} is not in the images list")
        if annotation.get("category_id") not in categories:
            raise UserError(f"{place}: category_id {annotation.get('category_id')!r} is not in the categories list")
        x, y, width, height = _numbers(annotation.get("bbox"), 4, place, "bbox [x, y, width, height]")
        entry.boxes.append((x, y, x + width, y + height))
        entry.names.append(categories[annotation["category_id"]])
        entry.places.append(place)
        entry.segmentations.append(annotation.get("segmentation") or None)
    return list(entries.values()), [categories[key] for key in sorted(categories)], crowd


def _read_voc(images_dir, xml_dir):
    """`(entries, sorted class names)`."""
    if not xml_dir.is_dir():
        raise UserError(f"Pascal VOC annotations {xml_dir} must be a folder of .xml files")
    entries = []
    for xml_path in sorted(xml_dir.glob("*.xml")):
        try:
            root = ElementTree.parse(xml_path).getroot()
        except ElementTree.ParseError as error:
            line, _ = error.position
            raise UserError(f"{xml_path} line {line}: not valid XML ({error}); fix or re-export it") from None
        file_name = root.findtext("filename")
        if not file_name:
            raise UserError(f"{xml_path}: no <filename>: it must name the image the boxes belong to")
        size = (_integer(root.findtext("size/width")), _integer(root.findtext("size/height")))
        entry = _Entry(images_dir / file_name.strip(), size)
        for number, item in enumerate(root.iter("object"), start=1):
            place = f"{xml_path} object {number}"
            name = (item.findtext("name") or "").strip()
            if not name:
                raise UserError(f"{place}: no <name>: each object needs its class name")
            corners = [item.findtext(f"bndbox/{key}") for key in ("xmin", "ymin", "xmax", "ymax")]
            x_min, y_min, x_max, y_max = _numbers(corners, 4, place, "<bndbox> with xmin, ymin, xmax, ymax")
            # 1-based pixel indices, both ends inclusive: pixel 1 is the span 0..1
            entry.boxes.append((x_min - 1, y_min - 1, x_max, y_max))
            entry.names.append(name)
            entry.places.append(place)
        entries.append(entry)
    return entries, sorted({name for entry in entries for name in entry.names})


def _read_yolo(images_dir, labels_dir, classes):
    """`(entries, class names)`: every image in `images_dir`, boxes from the `.txt` of the same relative path."""
    if not labels_dir.is_dir():
        raise UserError(f"YOLO annotations {labels_dir} must be a folder of .txt files")
    names = _yolo_names(labels_dir, classes)
    images = _by_stem(images_dir, IMAGE_SUFFIXES)
    labels = _by_stem(labels_dir, (".txt",))
    labels.pop("classes", None)
    stray = sorted(labels.keys() - images.keys())
    if stray:
        raise UserError(
            f"{len(stray)} label file(s) in {labels_dir} name no image in {images_dir}: "
            f"{_shown(labels[key].name for key in stray)}; each .txt needs an image of the same name"
        )
    entries = []
    for key, image_path in sorted(images.items()):
        entry = _Entry(image_path, normalized=True)
        if key in labels:
            _read_yolo_lines(labels[key], names, entry)
        entries.append(entry)
    return entries, names


def _read_yolo_lines(txt_path, names, entry):
    """Adds the boxes of one YOLO `.txt` to `entry`, normalized: they become pixels once the image's size is known."""
    for number, line in enumerate(_read_text(txt_path).splitlines(), start=1):
        if not line.strip():
            continue
        place = f"{txt_path} line {number}"
        fields = line.split()
        if len(fields) != 5 or not fields[0].isdigit():
            raise UserError(f"{place}: expected `class cx cy w h` (an integer and 4 numbers), found {line.strip()!r}")
        class_id = int(fields[0])
        if class_id >= len(names):
            raise UserError(
                f"{place}: class {class_id} is outside the {len(names)} class names ({', '.join(names)}); "
                "fix the line or add the name"
            )
        cx, cy, width, height = _numbers(fields[1:], 4, place, "cx cy w h")
        entry.boxes.append((cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2))
        entry.names.append(names[class_id])
        entry.places.append(place)


def _yolo_names(labels_dir, classes):
    """The class names YOLO's ids index: from `classes.txt` or `data.yaml` near the labels, else the class list."""
    for folder in (labels_dir, labels_dir.parent, labels_dir.parent.parent):
        for name in YOLO_NAMES:
            path = folder / name
            if path.is_file():
                return _names_file(path)
    if classes is not None:
        return list(classes)  # the class list gives the names in id order
    raise UserError(
        f"no classes.txt or data.yaml in {labels_dir} or the two folders above it: write the class names into "
        f"{labels_dir / 'classes.txt'}, one per line, line 1 naming class 0 (or give the class list)"
    )


def _names_file(path):
    """The names a `classes.txt` (one per line) or a `data.yaml` (`names:` list or `{id: name}` mapping) gives."""
    text = _read_text(path)
    if path.suffix == ".txt":
        names = [line.strip() for line in text.splitlines() if line.strip()]
    else:
        try:
            names = (yaml.safe_load(text) or {}).get("names")
        except (yaml.YAMLError, AttributeError) as error:
            raise UserError(f"{path} is not a YAML mapping with `names:` ({error}); fix it") from None
        if isinstance(names, dict):
            if sorted(names) != list(range(len(names))):
                raise UserError(f"{path}: `names` ids must be 0, 1, 2, ... without gaps; found {sorted(names)}")
            names = [names[index] for index in range(len(names))]
    if not isinstance(names, list) or not names:
        raise UserError(f"{path} names no classes: list them (`names: [cat, dog]` in YAML, one per line in .txt)")
    return [str(name) for name in names]


def _annotated_images(entries, classes, masks_source=None):
    """Checks every image file, turns entries into `AnnotatedImage`s sorted by path, clipped; returns them and the
    numbers of boxes clipped and dropped. `masks_source`: None, "coco", or `(masks folder, images folder)`."""
    index = {name: position for position, name in enumerate(classes)}
    sizes = _image_sizes([entry.path for entry in entries])
    images, clipped, dropped = [], 0, 0
    for entry in sorted(entries, key=lambda entry: entry.path):
        width, height = sizes[entry.path]
        if all(entry.size) and tuple(entry.size) != (width, height):
            raise UserError(
                f"{entry.path} is {width} x {height} pixels as stored, but its annotations give "
                f"{entry.size[0]} x {entry.size[1]}: annotate the image as stored, or restore the annotated file"
            )
        for name, place in zip(entry.names, entry.places, strict=True):
            if name not in index:
                raise UserError(f"{place}: class {name!r} is not one of {classes}; add it to the classes or remove it")
        boxes = np.array(entry.boxes, dtype=np.float64).reshape(-1, 4)
        if entry.normalized:
            boxes *= [width, height, width, height]
        inside = np.clip(boxes, 0, [width, height, width, height])
        kept = (inside[:, 2] > inside[:, 0]) & (inside[:, 3] > inside[:, 1])
        clipped += int((kept & (inside != boxes).any(axis=1)).sum())
        dropped += int((~kept).sum())
        labels = np.array([index[name] for name in entry.names], dtype=np.int32)
        rles = None if masks_source is None else _masks(entry, width, height, masks_source)
        images.append(
            AnnotatedImage(
                entry.path,
                width,
                height,
                inside[kept].astype(np.float32),
                labels[kept],
                None if rles is None else [rle for rle, keep in zip(rles, kept, strict=True) if keep],
            )
        )
    return images, clipped, dropped


def _masks(entry, width, height, source):
    """The instance mask of each of `entry`'s boxes, as run-length dicts."""
    if source == "coco":
        found = []
        for segmentation, place in zip(entry.segmentations, entry.places, strict=True):
            if segmentation is None:
                raise UserError(
                    f"{place}: no segmentation: with masks on every object needs its mask (or set data.masks_dir "
                    f"to index-mask PNGs)"
                )
            found.append(instance_masks.from_coco(segmentation, width, height, place))
        return found
    masks_dir, images_dir = source
    path = masks_dir / Path(entry.path).relative_to(images_dir).with_suffix(".png")
    return instance_masks.from_index_png(path, len(entry.boxes), width, height)


def _image_sizes(paths):
    """`{path: (width, height)}` from each file's header; one `UserError` for missing files, one for non-images."""
    sizes, missing, broken = {}, [], []
    for path in paths:
        try:
            with Image.open(path) as image:  # reads the header only: thousands of images take a second
                sizes[path] = image.size
        except FileNotFoundError:
            missing.append(path)
        except OSError:  # PIL's UnidentifiedImageError and truncated headers
            broken.append(path)
    if missing:
        raise UserError(
            f"{len(missing)} image(s) the annotations name are missing: {_shown(missing)}; check the images folder "
            "or remove their annotations"
        )
    if broken:
        raise UserError(f"{len(broken)} file(s) are not images Pillow can open: {_shown(broken)}; replace or remove")
    return sizes


def _numbers(values, count, place, expected):
    """`count` finite floats from `values`, or a `UserError` at `place` saying what was `expected`."""
    try:
        numbers = [float(value) for value in values]
    except (TypeError, ValueError):
        numbers = []
    if len(numbers) != count or not all(math.isfinite(number) for number in numbers):
        raise UserError(f"{place}: expected {expected} as finite numbers, found {values!r}")
    return numbers


def _integer(text):
    try:
        return int(float(text))
    except (TypeError, ValueError, OverflowError):
        return None


def _by_stem(folder, suffixes):
    """`{relative path without suffix: path}` of the files under `folder` with one of `suffixes`."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() in suffixes and path.is_file():
            key = path.relative_to(folder).with_suffix("").as_posix()
            if key in found:
                raise UserError(f"{found[key]} and {path} share a name: YOLO labels pair by name; rename one")
            found[key] = path
    return found


def _read_text(path):
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise UserError(f"{path} is not UTF-8 text ({error.reason}); re-save it as UTF-8") from None


def _shown(paths):
    paths = [str(path) for path in paths]
    return ", ".join(paths[:SHOWN]) + (f" and {len(paths) - SHOWN} more" if len(paths) > SHOWN else "")
