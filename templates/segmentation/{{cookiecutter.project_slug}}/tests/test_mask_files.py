"""Image + mask folders: pairing by stem, and every mistake reported with its file names."""

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from {{ cookiecutter.package_name }}.datasets.augment import ImageAugmentation, image_pipeline
from {{ cookiecutter.package_name }}.datasets.pipeline import segmentation_dataset
from {{ cookiecutter.package_name }}.mask_files import MaskEncoding, read_pairs, scan_masks
from {{ cookiecutter.package_name }}.runtime.errors import UserError

VOC_LIKE = MaskEncoding(values=(0, 1, 2), ignore=255)


def write_pair(root, stem, mask, image_size=None, suffix=".jpg"):
    mask = np.asarray(mask, dtype=np.uint8)
    width, height = image_size or (mask.shape[1], mask.shape[0])
    (root / "images").mkdir(parents=True, exist_ok=True)
    (root / "masks").mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (width, height), (90, 120, 30)).save(root / "images" / f"{stem}{suffix}")
    Image.fromarray(mask).save(root / "masks" / f"{stem}.png")


def scan(root, encoding=VOC_LIKE):
    return scan_masks(*read_pairs(root / "images", root / "masks"), encoding)


def test_pairs_by_stem_and_counts_pixels_per_class(tmp_path):
    write_pair(tmp_path, "b", [[0, 0, 2], [0, 255, 2]])
    write_pair(tmp_path, "a", [[1, 1, 1], [0, 0, 0]], suffix=".png")
    images, masks = read_pairs(tmp_path / "images", tmp_path / "masks")
    assert [p.rsplit("/", 1)[1] for p in images] == ["a.png", "b.jpg"]
    assert [p.rsplit("/", 1)[1] for p in masks] == ["a.png", "b.png"]
    # the ignored 255 counts in no class
    np.testing.assert_array_equal(scan(tmp_path), [[3, 3, 0], [3, 0, 2]])


def test_palette_colours_map_to_classes(tmp_path):
    road, car, border = (128, 64, 128), (64, 0, 128), (224, 224, 192)
    rgb = np.array([[road, car], [border, road]], dtype=np.uint8)
    write_pair(tmp_path, "street", np.zeros((2, 2)))
    Image.fromarray(rgb).save(tmp_path / "masks" / "street.png")
    np.testing.assert_array_equal(scan(tmp_path, MaskEncoding(colours=(road, car), ignore=border)), [[2, 1]])
    with pytest.raises(UserError, match=r"street.png has \(224, 224, 192\)"):
        scan(tmp_path, MaskEncoding(colours=(road, car)))


def test_missing_and_stray_masks_are_named(tmp_path):
    for stem in ("cat", "dog", "owl"):
        write_pair(tmp_path, stem, [[0]])
    (tmp_path / "masks" / "dog.png").unlink()
    (tmp_path / "masks" / "owl.png").rename(tmp_path / "masks" / "owl_mask.png")
    with pytest.raises(UserError, match=r"^2 images in .* without a mask in .*: dog.jpg, owl.jpg; each image"):
        read_pairs(tmp_path / "images", tmp_path / "masks")
    (tmp_path / "images" / "dog.jpg").unlink()
    (tmp_path / "images" / "owl.jpg").unlink()
    with pytest.raises(UserError, match=r"^1 mask in .* without an image .*: owl_mask.png"):
        read_pairs(tmp_path / "images", tmp_path / "masks")


def test_size_mismatch_names_both_files_and_sizes(tmp_path):
    write_pair(tmp_path, "ok", np.zeros((4, 6)))
    write_pair(tmp_path, "wide", np.zeros((4, 6)), image_size=(8, 4))
    with pytest.raises(UserError, match=r"^1 mask not the size of its image: wide.png 6x4 vs wide.jpg 8x4"):
        scan(tmp_path)


def test_values_outside_the_class_list_are_named_per_file(tmp_path):
    write_pair(tmp_path, "fine", [[0, 1, 255]])
    write_pair(tmp_path, "odd", [[0, 7, 9]])
    with pytest.raises(
        UserError,
        match=r"^1 mask with values outside data.classes \(0, 1, 2, ignore 255\): "
        r"odd.png has 7, 9; add them",
    ):
        scan(tmp_path)


def test_colour_masks_where_values_are_expected_and_corrupt_files(tmp_path):
    write_pair(tmp_path, "one", [[0, 1]])
    Image.new("RGB", (2, 1)).save(tmp_path / "masks" / "one.png")
    with pytest.raises(UserError, match=r"^1 mask not 8-bit single-channel where .*: one.png \(RGB\)"):
        scan(tmp_path)
    (tmp_path / "masks" / "one.png").write_bytes(b"not a png")
    with pytest.raises(UserError, match=r"^1 file unreadable \(truncated or not an image\): .*/masks/one.png; replace"):
        scan(tmp_path)


def cut_in_half(path):
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])


@pytest.mark.parametrize("suffix", [".jpg", ".png"])
def test_truncated_images_and_masks_are_named_before_training(tmp_path, suffix):
    # the header survives the cut, so only decoding finds it; tf.data would otherwise fail mid-epoch
    noise = np.random.default_rng(0).integers(0, 3, (32, 32))
    write_pair(tmp_path, "whole", noise, suffix=suffix)
    write_pair(tmp_path, "cut", noise, suffix=suffix)
    Image.fromarray(np.random.default_rng(1).integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(
        tmp_path / "images" / f"cut{suffix}"
    )
    cut_in_half(tmp_path / "images" / f"cut{suffix}")
    with pytest.raises(UserError, match=rf"^1 file unreadable \(truncated .*\): \S*/images/cut\{suffix}; replace each"):
        scan(tmp_path)
    write_pair(tmp_path, "cut", noise, suffix=suffix)
    cut_in_half(tmp_path / "masks" / "cut.png")
    with pytest.raises(UserError, match=r"^1 file unreadable \(truncated .*\): \S*/masks/cut.png; replace each"):
        scan(tmp_path)


def test_pipeline_decodes_masks_to_class_indices_and_oversamples_by_repeat_counts(tmp_path):
    values = np.zeros((8, 8), dtype=np.uint8)
    values[:4, :4], values[4:, 4:], values[:2, 6:] = 38, 75, 255
    write_pair(tmp_path, "a", values)
    palette_mask = Image.open(tmp_path / "masks" / "a.png").convert("P")  # as Pascal VOC stores masks
    palette_mask.putpalette([value for index in range(256) for value in (index, 255 - index, 7)])
    palette_mask.save(tmp_path / "masks" / "a.png")
    write_pair(tmp_path, "b", np.full((8, 8), 75))
    images, masks = read_pairs(tmp_path / "images", tmp_path / "masks")
    encoding = MaskEncoding(values=(0, 38, 75), ignore=255)
    dataset = segmentation_dataset(images, masks, encoding, (4, 4), batch_size=8, training=True, seed=0, repeats=[1, 3])
    assert int(dataset.cardinality()) == 1  # the repeated length is known: Keras counts its steps from it
    ((batch_images, batch_masks),) = list(dataset)
    assert batch_images.shape == (4, 4, 4, 3) and batch_images.dtype == tf.float32
    assert batch_masks.shape == (4, 4, 4, 1) and batch_masks.dtype == tf.int32
    by_content = sorted(mask[..., 0].numpy().tolist() for mask in batch_masks)
    # nearest-neighbour halving of `a`: quadrants 1 | 0 over 0 | 2, the ignored 2x2 corner -> -1
    assert by_content[0] == [[1, 1, 0, -1], [1, 1, 0, 0], [0, 0, 2, 2], [0, 0, 2, 2]]
    assert by_content[1:] == [[[2] * 4] * 4] * 3  # `b` three times

    flips = image_pipeline(ImageAugmentation(flip="horizontal_and_vertical"), seed=0)
    augmented = segmentation_dataset(
        images, masks, encoding, (4, 4), batch_size=8, training=True, seed=0, augment=flips, repeats=[4, 0]
    )
    ((_, flipped),) = list(augmented)
    assert flipped.dtype == tf.int32
    # `a` four times, each flipped its own way: pixels move, their classes stay exact
    for mask in flipped.numpy():
        assert sorted(mask.ravel().tolist()) == sorted(sum(by_content[0], []))
    assert len({mask.tobytes() for mask in flipped.numpy()}) > 1
