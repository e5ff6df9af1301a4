"""Defaults sized from the data, the image-folder reader, splits and class weights."""

import itertools

import numpy as np
import pytest
from PIL import Image, ImageDraw
from shared.datasets import image_files
from shared.datasets.balance import balanced_class_weights
from shared.datasets.shapes import MORE_SHAPES, SHAPES, draw_shape, shape_picture, write_shape_folders
from shared.runtime import sizing
from shared.runtime.errors import UserError


def test_batchnorm_momentum_converges_within_an_epoch():
    for steps in (5, 20, 100):
        momentum = sizing.batchnorm_momentum(steps)
        assert momentum**steps == pytest.approx(0.05, rel=1e-6)
    assert sizing.batchnorm_momentum(100_000) == 0.99
    assert sizing.batchnorm_momentum(1) == 0.5


def test_image_side_from_median_size():
    assert sizing.image_side(64, 64) == 64
    assert sizing.image_side(500, 375) == 224
    assert sizing.image_side(20, 20) == 32
    assert sizing.image_side(100, 90) == 96


def test_balanced_class_weights_equalise_classes():
    weights = balanced_class_weights([0, 0, 0, 1], 2)
    assert weights == {0: pytest.approx(4 / 6), 1: pytest.approx(2.0)}
    assert weights[0] * 3 == pytest.approx(weights[1] * 1)


@pytest.fixture
def folders(tmp_path):
    write_shape_folders(tmp_path / "data", per_class=5, size=32, shapes=("circle", "star"), seed=0)
    return tmp_path / "data"


def test_folder_reader_and_stratified_split(folders):
    paths, labels, names = image_files.read_folder(folders)
    assert names == ["circle", "star"] and labels.count(0) == labels.count(1) == 5
    train_paths, train_labels, val_paths, val_labels = image_files.split(paths, labels, 0.4, seed=3)
    assert sorted(val_labels) == [0, 0, 1, 1] and len(train_paths) == 6
    assert not set(train_paths) & set(val_paths)
    assert image_files.split(paths, labels, 0.4, seed=3)[2] == val_paths  # same seed, same split


def test_csv_reader_resolves_paths_and_rejects_unknown_rows(folders, tmp_path):
    listing = tmp_path / "labels.csv"
    listing.write_text("path,label\ndata/circle/circle_000.png,circle\ndata/star/star_000.png,star\n")
    paths, labels, names = image_files.read_csv(listing)
    assert names == ["circle", "star"] and labels == [0, 1]
    assert paths[0] == str(tmp_path / "data/circle/circle_000.png")
    listing.write_text("a.png,circle,extra\n")
    with pytest.raises(UserError, match="labels.csv line 1: expected 2 fields"):
        image_files.read_csv(listing)


def test_unreadable_images_are_listed_by_path(folders):
    broken = folders / "star" / "star_002.png"
    broken.write_bytes(b"not an image")
    paths, _, _ = image_files.read_folder(folders)
    with pytest.raises(UserError, match="1 unreadable image.*star_002.png"):
        image_files.check_images(paths)


def test_images_tensorflow_cannot_decode_are_counted_in_one_warning(folders, capsys):
    Image.open(folders / "star" / "star_000.png").save(folders / "star" / "photo.webp")
    Image.open(folders / "circle" / "circle_000.png").save(folders / "circle" / "scan.tiff")
    paths, _, _ = image_files.read_folder(folders)
    assert len(paths) == 10  # left out of the data
    warning = capsys.readouterr().err
    assert warning.count("warning:") == 1 and "2 image(s) TensorFlow cannot decode (1 .tiff, 1 .webp" in warning
    assert image_files.warn_undecodable(folders / "star") == 1


def test_sample_pictures_differ_by_shape_not_by_noise():
    root_images = []
    for kind in SHAPES:
        rng = np.random.default_rng(0)
        root_images.append(np.asarray(shape_picture(rng, kind, 32), dtype=np.float32))
    # same seed, same background and colour: only the drawn shape differs between classes
    for first, second in zip(root_images, root_images[1:], strict=False):
        assert np.abs(first - second).max() > 50
    assert Image.fromarray(root_images[0].astype(np.uint8)).size == (32, 32)


def test_every_shape_kind_is_its_own_outline_within_its_radius():
    radius, centre = 24, 32
    drawn = {}
    for kind in SHAPES + MORE_SHAPES:
        canvas = Image.new("L", (64, 64))
        draw_shape(ImageDraw.Draw(canvas), kind, (centre, centre), radius, 0.3, 255)
        drawn[kind] = np.asarray(canvas) > 0
    rows, columns = np.mgrid[:64, :64]
    distance = np.hypot(rows - centre, columns - centre)
    disc = drawn["circle"].sum()
    assert abs(disc - np.pi * radius**2) < 0.05 * disc
    for kind, mask in drawn.items():
        assert 0.25 * disc < mask.sum() <= disc, kind
        assert distance[mask].max() < 1.1 * radius, kind
    for first, second in itertools.combinations(drawn, 2):  # the closest pair, triangle vs its outline, differs in 104
        assert (drawn[first] != drawn[second]).sum() > 0.04 * disc, (first, second)
    with pytest.raises(ValueError, match="unknown shape 'blob'; known: circle"):
        draw_shape(ImageDraw.Draw(canvas), "blob", (centre, centre), radius, 0.0, 255)
