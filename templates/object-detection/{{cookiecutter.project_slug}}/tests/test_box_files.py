"""Annotation files: the same boxes written as COCO, Pascal VOC and YOLO read back alike; mistakes name their file."""

import json

import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }}.box_files import detect_format, read_boxes, write_coco
from {{ cookiecutter.package_name }}.runtime.errors import UserError

SIZES = {"a.png": (40, 30), "b.png": (20, 20), "c.png": (10, 10)}  # c.png has no boxes: a negative
# The boxes every format below describes, in pixels (x_min, y_min, x_max, y_max), and their classes (cat 0, dog 1)
EXPECTED = {
    "a.png": ([[4, 6, 20, 18], [10, 0, 40, 30]], [0, 1]),
    "b.png": ([[2, 5, 12, 15]], [1]),
    "c.png": ([], []),
}


@pytest.fixture
def images(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    for name, size in SIZES.items():
        Image.new("RGB", size, (90, 120, 150)).save(folder / name)
    return folder


def coco_file(folder, annotations, images=SIZES):
    document = {
        "images": [
            {"id": i, "file_name": name, "width": w, "height": h} for i, (name, (w, h)) in enumerate(images.items())
        ],
        "annotations": [{"id": 100 + i, "iscrowd": 0, **annotation} for i, annotation in enumerate(annotations)],
        "categories": [{"id": 7, "name": "dog"}, {"id": 3, "name": "cat"}],  # classes go in id order: cat, dog
    }
    path = folder / "annotations.json"
    path.write_text(json.dumps(document))
    return path


COCO_BOXES = [
    {"image_id": 0, "category_id": 3, "bbox": [4, 6, 16, 12]},
    {"image_id": 0, "category_id": 7, "bbox": [10, 0, 30, 30]},
    {"image_id": 1, "category_id": 7, "bbox": [2, 5, 10, 10]},
]


def voc_folder(folder, objects_by_image):
    folder.mkdir(parents=True, exist_ok=True)
    for name, objects in objects_by_image.items():
        width, height = SIZES[name]
        boxes = "".join(
            f"<object><name>{label}</name><difficult>0</difficult><bndbox><xmin>{x0}</xmin><ymin>{y0}</ymin>"
            f"<xmax>{x1}</xmax><ymax>{y1}</ymax></bndbox></object>"
            for label, (x0, y0, x1, y1) in objects
        )
        (folder / name.replace(".png", ".xml")).write_text(
            f"<annotation><folder>images</folder><filename>{name}</filename><size><width>{width}</width>"
            f"<height>{height}</height><depth>3</depth></size>{boxes}</annotation>"
        )
    return folder


# VOC counts pixels from 1, both ends inclusive: pixels 5..20 are the span 4..20
VOC_BOXES = {
    "a.png": [("cat", (5, 7, 20, 18)), ("dog", (11, 1, 40, 30))],
    "b.png": [("dog", (3, 6, 12, 15))],
    "c.png": [],
}


def yolo_folder(folder, lines_by_image, names="cat\ndog\n"):
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in lines_by_image.items():
        (folder / name.replace(".png", ".txt")).write_text("".join(line + "\n" for line in lines))
    if names is not None:
        (folder / "classes.txt").write_text(names)
    return folder


# class cx cy w h, normalized: a.png is 40 x 30, so x 4..20 is cx 12 / 40 = 0.3, w 16 / 40 = 0.4
YOLO_LINES = {"a.png": ["0 0.3 0.4 0.4 0.4", "1 0.625 0.5 0.75 1.0"], "b.png": ["1 0.35 0.5 0.5 0.5"]}


def assert_expected(dataset):
    assert dataset.classes == ["cat", "dog"]
    assert [image.path.name for image in dataset.images] == ["a.png", "b.png", "c.png"]
    for image in dataset.images:
        boxes, labels = EXPECTED[image.path.name]
        assert (image.width, image.height) == SIZES[image.path.name]
        assert image.boxes.dtype == np.float32 and image.labels.dtype == np.int32
        assert image.boxes.reshape(-1, 4).tolist() == boxes and image.labels.tolist() == labels


def test_coco_voc_and_yolo_read_to_the_same_boxes(images, tmp_path):
    coco = read_boxes(images, coco_file(tmp_path, COCO_BOXES))
    voc = read_boxes(images, voc_folder(tmp_path / "xml", VOC_BOXES))
    yolo = read_boxes(images, yolo_folder(tmp_path / "labels", YOLO_LINES))  # c.png has no .txt: a negative
    for dataset, name in ((coco, "coco"), (voc, "voc"), (yolo, "yolo")):
        assert dataset.format == name
        assert_expected(dataset)
        assert (dataset.clipped, dataset.dropped, dataset.crowd) == (0, 0, 0)
        assert dataset.describe() == f"{name}: 3 images (1 without boxes), 3 boxes, 2 classes"


def test_write_coco_round_trips(images, tmp_path):
    dataset = read_boxes(images, voc_folder(tmp_path / "xml", VOC_BOXES))
    write_coco(tmp_path / "copy.json", dataset, images)
    document = json.loads((tmp_path / "copy.json").read_text())
    assert document["images"][0] == {"id": 1, "file_name": "a.png", "width": 40, "height": 30}
    assert document["annotations"][0]["bbox"] == [4, 6, 16, 12] and document["annotations"][0]["area"] == 192
    assert_expected(read_boxes(images, tmp_path / "copy.json"))


def test_boxes_outside_are_clipped_or_dropped_and_counted(images, tmp_path):
    annotations = COCO_BOXES + [
        {"image_id": 1, "category_id": 3, "bbox": [-5, 12, 10, 20]},  # clipped to 0, 12, 5, 20
        {"image_id": 1, "category_id": 3, "bbox": [25, 0, 5, 5]},  # right of the 20-pixel image: dropped
        {"image_id": 1, "category_id": 3, "bbox": [3, 3, 0, 4]},  # no width: dropped
        {"image_id": 2, "category_id": 7, "bbox": [0, 0, 10, 10], "iscrowd": 1},  # skipped: c.png stays negative
    ]
    dataset = read_boxes(images, coco_file(tmp_path, annotations))
    b = dataset.images[1]
    assert b.boxes.tolist() == [[2, 5, 12, 15], [0, 12, 5, 20]] and b.labels.tolist() == [1, 0]
    assert len(dataset.images[2].boxes) == 0
    assert (dataset.clipped, dataset.dropped, dataset.crowd) == (1, 2, 1)
    assert dataset.describe() == (
        "coco: 3 images (1 without boxes), 4 boxes, 2 classes; clipped 1, dropped 2, crowd regions skipped 1"
    )


def test_yolo_clips_and_reads_names_from_data_yaml_two_folders_up(tmp_path):
    # the Ultralytics layout: root/data.yaml, root/images/train/*.png, root/labels/train/*.txt
    (tmp_path / "images" / "train").mkdir(parents=True)
    Image.new("RGB", (50, 20)).save(tmp_path / "images" / "train" / "wide.png")
    labels = yolo_folder(tmp_path / "labels" / "train", {"wide.png": ["1 0.9 0.5 0.4 0.5"]}, names=None)
    (tmp_path / "data.yaml").write_text("path: .\nnames:\n  0: cat\n  1: dog\n")
    dataset = read_boxes(tmp_path / "images" / "train", labels)
    assert dataset.classes == ["cat", "dog"] and dataset.clipped == 1
    assert dataset.images[0].boxes.tolist() == [[35, 5, 50, 15]] and dataset.images[0].labels.tolist() == [1]


def test_a_class_list_maps_names_and_refuses_names_outside_it(images, tmp_path):
    coco = read_boxes(images, coco_file(tmp_path, COCO_BOXES), classes=["dog", "bird", "cat"])
    assert coco.classes == ["dog", "bird", "cat"] and coco.images[0].labels.tolist() == [2, 0]
    labels = yolo_folder(tmp_path / "labels", YOLO_LINES)
    assert read_boxes(images, labels, classes=["dog", "cat"]).images[0].labels.tolist() == [1, 0]
    with pytest.raises(UserError, match=r"annotations\.json annotation id 101: class 'dog' is not one of \['cat'\]"):
        read_boxes(images, tmp_path / "annotations.json", classes=["cat"])
    with pytest.raises(UserError, match=r"a\.txt line 2: class 'dog'"):
        read_boxes(images, labels, classes=["cat"])
    with pytest.raises(UserError, match=r"a\.xml object 2: class 'dog'"):
        read_boxes(images, voc_folder(tmp_path / "xml", VOC_BOXES), classes=["cat"])


def test_detect_format_knows_each_layout_and_names_them_for_others(tmp_path):
    assert detect_format(coco_file(tmp_path, [])) == "coco"
    assert detect_format(voc_folder(tmp_path / "xml", VOC_BOXES)) == "voc"
    assert detect_format(yolo_folder(tmp_path / "labels", YOLO_LINES)) == "yolo"
    (tmp_path / "csv").mkdir()
    (tmp_path / "csv" / "boxes.csv").write_text("a.png,1,2,3,4\n")
    with pytest.raises(UserError, match=r"csv are in no layout.*COCO \.json file.*VOC \.xml.*YOLO \.txt"):
        detect_format(tmp_path / "csv")
    with pytest.raises(UserError, match="nowhere not found"):
        detect_format(tmp_path / "nowhere")


def coco_with(**change):
    return lambda folder: coco_file(folder, [{**COCO_BOXES[0], **change}])


def yolo_with(*lines, names="cat\ndog\n"):
    return lambda folder: yolo_folder(folder / "labels", {"a.png": lines}, names=names)


def voc_with(xml):
    def write(folder):
        (folder / "xml").mkdir()
        (folder / "xml" / "a.xml").write_text(xml)
        return folder / "xml"

    return write


def text_file(name, text):
    def write(folder):
        (folder / name).write_text(text)
        return folder / name

    return write


MISTAKES = {
    "json": (text_file("annotations.json", '{"images": [\n  {"id": 1,\n'), r"annotations\.json line 3: not valid JSON"),
    "not coco": (text_file("annotations.json", "[1, 2]"), r"annotations\.json is not COCO"),
    "xml": (voc_with("<annotation><filename>a.png</filename>\n<object>"), r"a\.xml line 2: not valid XML"),
    "no filename": (voc_with("<annotation><object><name>cat</name></object></annotation>"), r"a\.xml: no <filename>"),
    "voc nan": (
        voc_with(
            "<annotation><filename>a.png</filename><object><name>cat</name><bndbox><xmin>nan</xmin><ymin>1</ymin>"
            "<xmax>4</xmax><ymax>4</ymax></bndbox></object></annotation>"
        ),
        r"a\.xml object 1: expected <bndbox>.* finite numbers",
    ),
    "four numbers": (yolo_with("0 0.5 0.5 0.2 0.2", "1 0.5 0.5 0.2"), r"a\.txt line 2: expected `class cx cy w h`"),
    "class id": (yolo_with("2 0.5 0.5 0.2 0.2"), r"a\.txt line 1: class 2 is outside the 2 class names \(cat, dog\)"),
    "yolo nan": (yolo_with("0 nan 0.5 0.2 0.2"), r"a\.txt line 1: expected cx cy w h as finite numbers"),
    "no names": (yolo_with("0 0.5 0.5 0.2 0.2", names=None), r"no classes\.txt or data\.yaml in .*labels"),
    "coco nan": (coco_with(bbox=[4, float("nan"), 16, 12]), r"annotations\.json annotation id 100: expected bbox"),
    "image id": (coco_with(image_id=9), r"annotations\.json annotation id 100: image_id 9 is not in the images list"),
    "category": (coco_with(category_id=5), r"annotation id 100: category_id 5 is not in the categories list"),
    "missing image": (
        lambda folder: coco_file(folder, COCO_BOXES, images={**SIZES, "gone.png": (9, 9)}),
        r"1 image\(s\) the annotations name are missing: .*gone\.png",
    ),
    "size": (
        lambda folder: coco_file(folder, COCO_BOXES, images={**SIZES, "a.png": (30, 40)}),
        r"a\.png is 40 x 30 pixels as stored, but its annotations give 30 x 40",
    ),
    "no boxes": (lambda folder: coco_file(folder, []), r"annotations\.json holds no boxes"),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_each_mistake_is_one_line_naming_the_file(images, tmp_path, mistake):
    write, message = MISTAKES[mistake]
    with pytest.raises(UserError, match=message) as raised:
        read_boxes(images, write(tmp_path))
    assert "\n" not in str(raised.value)


def test_a_file_that_is_not_an_image_is_named(images, tmp_path):
    (images / "b.png").write_text("this is not an image")
    with pytest.raises(UserError, match=r"1 file\(s\) are not images Pillow can open: .*b\.png"):
        read_boxes(images, coco_file(tmp_path, COCO_BOXES))
