"""Instance masks: read from COCO polygons, run-lengths and index-mask PNGs, each mistake named; their targets, their
pasting back into a picture, and segm mAP against pycocotools itself."""

import contextlib
import io
import json

import numpy as np
import pytest
from PIL import Image
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from {{ cookiecutter.package_name }} import masks
from {{ cookiecutter.package_name }}.box_files import read_boxes
from {{ cookiecutter.package_name }}.coco_metrics import coco_detections, coco_ground_truth, coco_scores
from {{ cookiecutter.package_name }}.inference import paste_mask
from {{ cookiecutter.package_name }}.roi_sampling import mask_targets
from {{ cookiecutter.package_name }}.runtime.errors import UserError

# a.png (40 x 30): a cat 4..20 x 6..18 (a triangle inside it) and a dog 10..40 x 0..30; b.png (20 x 20): nothing
TRIANGLE = [4, 6, 20, 6, 4, 18]  # x, y pairs: the upper left half of the cat's box
ANNOTATIONS = [
    {"id": 1, "image_id": 0, "category_id": 3, "bbox": [4, 6, 16, 12], "iscrowd": 0, "segmentation": [TRIANGLE]},
    {"id": 2, "image_id": 0, "category_id": 7, "bbox": [10, 0, 30, 30], "iscrowd": 0},
]


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "images").mkdir()
    Image.new("RGB", (40, 30), (90, 120, 150)).save(tmp_path / "images" / "a.png")
    Image.new("RGB", (20, 20), (90, 120, 150)).save(tmp_path / "images" / "b.png")
    return tmp_path


def coco(folder, dog_segmentation):
    dog = ANNOTATIONS[1] if dog_segmentation is None else {**ANNOTATIONS[1], "segmentation": dog_segmentation}
    document = {
        "images": [{"id": 0, "file_name": "a.png", "width": 40, "height": 30}, {"id": 1, "file_name": "b.png"}],
        "annotations": [ANNOTATIONS[0], dog],
        "categories": [{"id": 3, "name": "cat"}, {"id": 7, "name": "dog"}],
    }
    path = folder / "annotations.json"
    path.write_text(json.dumps(document))
    return path


def dog_mask():
    mask = np.zeros((30, 40), bool)
    mask[0:30, 10:40] = True
    return mask


def test_polygons_and_run_lengths_read_to_the_same_masks(folder):
    compressed = masks.encode(dog_mask())
    uncompressed = {"size": [30, 40], "counts": [300] + [30, 0] * 29 + [30]}  # column by column: 10 off, then on
    for dog in (
        {**compressed, "counts": compressed["counts"].decode()},
        uncompressed,
        [[10, 0, 40, 0, 40, 30, 10, 30]],
    ):
        dataset = read_boxes(folder / "images", coco(folder, dog), masks=True)
        cat, found = (masks.decode(rle) for rle in dataset.images[0].masks)
        assert dataset.describe() == "coco: 2 images (1 without boxes), 2 boxes with masks, 2 classes"
        assert found.sum() == pytest.approx(900, abs=40) and found[15, 25] and not found[15, 5]
        assert 60 <= cat.sum() <= 120 and cat[7, 5] and not cat[17, 19]  # a triangle of 96 pixels
        assert dataset.images[1].masks == []


def test_masks_are_read_only_when_asked_for(folder):
    dataset = read_boxes(folder / "images", coco(folder, None))  # the dog has no mask: fine without masks
    assert dataset.images[0].masks is None and len(dataset.images[0].boxes) == 2


def write_index_png(folder, numbers, name="a.png"):
    (folder / "masks").mkdir(exist_ok=True)
    Image.fromarray(np.asarray(numbers, np.uint8)).save(folder / "masks" / name)
    return folder / "masks"


def test_index_mask_pngs_give_each_box_its_mask_in_annotation_order(folder):
    numbers = np.zeros((30, 40), np.uint8)
    numbers[6:18, 4:20] = 1
    numbers[dog_mask() & (numbers == 0)] = 2
    masks_dir = write_index_png(folder, numbers)
    dataset = read_boxes(folder / "images", coco(folder, None), masks=True, masks_dir=masks_dir)
    cat, dog = (masks.decode(rle) for rle in dataset.images[0].masks)
    assert cat.sum() == 16 * 12 and dog.sum() == 900 - 10 * 12
    assert dataset.images[1].masks == []  # b.png has no boxes, and no PNG: nothing is missing


MASK_MISTAKES = {
    "box without mask": (lambda folder: (coco(folder, None), ""), r"annotation id 2: no segmentation"),
    "polygon outside": (
        lambda folder: (coco(folder, [[10, 0, 45, 0, 40, 30]]), ""),
        r"annotation id 2: segmentation polygon reaches .*outside the 40 x 30 image",
    ),
    "run-lengths of another size": (
        lambda folder: (coco(folder, {"size": [40, 30], "counts": [1200]}), ""),
        r"annotation id 2: segmentation run-lengths are of size \[40, 30\]",
    ),
    "mask without box": (
        lambda folder: (coco(folder, None), write_index_png(folder, np.arange(1200).reshape(30, 40) % 4)),
        r"a\.png: object number\(s\) \[3\] have no box \(the image has 2\)",
    ),
    "box without pixels": (
        lambda folder: (coco(folder, None), write_index_png(folder, np.ones((30, 40)))),
        r"a\.png: box\(es\) \[2\] of 2 have no pixels",
    ),
    "index mask of another size": (
        lambda folder: (coco(folder, None), write_index_png(folder, np.ones((40, 30)))),
        r"a\.png is 30 x 40 pixels, its image 40 x 30",
    ),
    "no index mask": (
        lambda folder: (coco(folder, None), folder / "nowhere"),
        r"nowhere.a\.png not found",
    ),
}


@pytest.mark.parametrize("mistake", MASK_MISTAKES)
def test_each_mask_mistake_is_one_line_naming_the_file(folder, mistake):
    write, message = MASK_MISTAKES[mistake]
    annotations, masks_dir = write(folder)
    with pytest.raises(UserError, match=message) as raised:
        read_boxes(folder / "images", annotations, masks=True, masks_dir=masks_dir)
    assert "\n" not in str(raised.value)


def test_yolo_and_voc_need_a_masks_folder(folder):
    (folder / "labels").mkdir()
    (folder / "labels" / "a.txt").write_text("0 0.3 0.4 0.4 0.4\n")
    (folder / "labels" / "classes.txt").write_text("cat\n")
    with pytest.raises(UserError, match="yolo annotations hold no masks: set data.masks_dir"):
        read_boxes(folder / "images", folder / "labels", masks=True)


def test_the_instance_map_paints_objects_at_the_letterboxed_scale():
    first, second = np.zeros((20, 40), bool), np.zeros((20, 40), bool)
    first[0:10, 0:20] = True
    second[10:20, 20:40] = True
    numbers = masks.instance_map([masks.encode(first), masks.encode(second)], size=16, scale=0.4)
    assert numbers.shape == (16, 16)
    assert (numbers[:4, :8] == 1).all() and (numbers[4:8, 8:16] == 2).all()
    assert (numbers[8:] == 0).all() and numbers[:4, 8:].sum() == 0  # the letterbox's padding and the gaps


def test_mask_targets_cut_each_boxs_object_out_on_its_grid():
    objects = np.zeros((1, 16, 16), np.uint16)
    objects[0, 4:8, 4:12] = 1  # object 0
    objects[0, 8:12, 4:12] = 2  # object 1, below it
    boxes = np.array([[[4, 4, 12, 12], [4, 4, 12, 8]]], np.float32)
    targets = np.asarray(mask_targets(objects, boxes, np.array([[0, 1]]), size=4))
    np.testing.assert_array_equal(targets[0, 0], [[1, 1, 1, 1], [1, 1, 1, 1], [0, 0, 0, 0], [0, 0, 0, 0]])
    assert not targets[0, 1].any()  # the second box covers object 0 only, and learns object 1: nothing


def test_a_pasted_mask_fills_its_box_where_the_probability_passes_the_threshold():
    grid = np.zeros((4, 4), np.float32)
    grid[:, :2] = 1.0  # the left half of the box
    pasted = paste_mask(grid, [10, 5, 30, 15], width=40, height=20)
    assert pasted.shape == (20, 40) and pasted[5:15, 10:19].all() and not pasted[5:15, 21:30].any()
    assert not pasted[:5].any() and not pasted[15:].any() and not pasted[:, :10].any()


@pytest.mark.parametrize("iou_type", ["bbox", "segm"])
def test_box_and_mask_map_match_pycocotools_on_the_same_files(tmp_path, iou_type):
    rng = np.random.default_rng(0)
    truth_masks, found_masks, truth_boxes, found = [], [], [], []
    for _ in range(3):
        image_truth, image_found, boxes = [], [], []
        for _ in range(3):
            mask = np.zeros((48, 64), bool)
            x, y = rng.integers(0, 40), rng.integers(0, 30)
            mask[y : y + rng.integers(6, 18), x : x + rng.integers(6, 24)] = True
            image_truth.append(mask)
            shifted = np.roll(mask, rng.integers(-3, 4), axis=1)
            image_found.append(shifted)
            rows, columns = np.nonzero(mask)
            boxes.append([columns.min(), rows.min(), columns.max() + 1, rows.max() + 1])
        truth_masks.append([masks.encode(m) for m in image_truth])
        found_masks.append([masks.encode(m) for m in image_found])
        truth_boxes.append((64, 48, np.array(boxes, np.float32), np.array([0, 1, 0])))
        found.append((np.array(boxes, np.float32), np.array([0, 1, 0]), rng.uniform(0.2, 1.0, 3)))
    truth = coco_ground_truth(truth_boxes, ["a", "b"], truth_masks)
    results = coco_detections(found, found_masks if iou_type == "segm" else None)
    ours = coco_scores(truth, results, ["a", "b"], iou_type)

    # pycocotools alone, from files on disk, as a COCO user would run it
    (tmp_path / "truth.json").write_text(json.dumps(truth))
    (tmp_path / "results.json").write_text(json.dumps(results))
    with contextlib.redirect_stdout(io.StringIO()):
        reference = COCO(str(tmp_path / "truth.json"))
        evaluation = COCOeval(reference, reference.loadRes(str(tmp_path / "results.json")), iouType=iou_type)
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    names = ["map", "map_50", "map_75", "map_small"]  # every object under 32 x 32 pixels
    assert [ours[name] for name in names] == pytest.approx(evaluation.stats[:4].tolist())
    if iou_type == "segm":
        assert 0.2 < ours["map"] < 1.0  # shifted masks: neither perfect nor missed
        ious = mask_utils.iou(found_masks[0], truth_masks[0], [0, 0, 0]).diagonal()
        assert (ious > 0.5).all()
    else:
        assert ours["map"] == pytest.approx(1.0)  # the boxes are the true ones
