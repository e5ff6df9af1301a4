import math

import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }} import data
from {{ cookiecutter.package_name }}.config import load
from {{ cookiecutter.package_name }}.runtime.errors import UserError
from {{ cookiecutter.package_name }}.scenes import SCENE_CLASSES
from {{ cookiecutter.package_name }}.task import Segmentation

FIVE_CLASSES = f"data.classes={[dict(name=name, value=value) for value, name in enumerate(SCENE_CLASSES)]}"


def config_for(directory, *overrides):
    return load(
        "configs/default.yaml",
        [f"data.images_dir={directory}/images", f"data.masks_dir={directory}/masks", "data.batch_size=4", *overrides],
    )


def test_split_counts_pixels_and_batches_images_with_masks(sample_dir):
    config = config_for(sample_dir)
    splits = data.read_splits(config.data, seed=0)
    assert config.data.class_names == list(SCENE_CLASSES)  # classes: auto, named by the sample's classes.txt
    assert (len(splits.train_images), len(splits.val_images)) == (19, 5)
    assert not set(splits.train_images) & set(splits.val_images)
    first = np.asarray(Image.open(splits.train_masks[0]))
    np.testing.assert_array_equal(splits.train_pixels[0], np.bincount(first.ravel(), minlength=5))
    batches = data.training_batches(config, splits, size=32)
    images, masks = next(iter(batches.val))
    assert images.shape == (4, 32, 32, 3) and masks.shape == (4, 32, 32, 1) and masks.dtype.name == "int32"
    assert set(np.unique(masks.numpy())) <= set(range(5))
    assert sum(int(batch[0].shape[0]) for batch in batches.train) == sum(data.repeats(config, splits))
    assert batches.loss_class_weights == data.class_weights(config, splits) and batches.class_weight is None


def test_images_with_a_rare_class_are_shown_more_often(sample_dir):
    # Repeat factors (LVIS): a class in a fraction f of the images repeats by max(1, sqrt(threshold / f)); an
    # image by its rarest class's factor, drawn as the floor or the ceiling of it.
    config = config_for(sample_dir, "data.oversample_threshold=0.9")
    splits = data.read_splits(config.data, seed=0)
    holds_class = splits.train_pixels > 0
    fraction = holds_class.mean(axis=0)
    factors = [max(max(1.0, math.sqrt(0.9 / fraction[c])) for c in np.flatnonzero(row)) for row in holds_class]
    counts = data.repeats(config, splits)
    for count, factor in zip(counts, factors, strict=True):
        assert math.floor(factor) <= count <= math.ceil(factor)
    rarest = int(np.argmin(fraction))
    assert fraction[rarest] < 0.5 and max(factors) == pytest.approx(math.sqrt(0.9 / fraction[rarest]))
    assert sum(counts) > len(counts)
    assert data.repeats(load("configs/default.yaml", ["data.oversample=none"]), splits) is None


def test_median_frequency_weights_come_from_the_training_masks(sample_dir):
    config = config_for(sample_dir)
    splits = data.read_splits(config.data, seed=0)
    weights = data.class_weights(config, splits)
    assert weights[0] < 0.5 < min(weights[1:])  # background, the most frequent class, weighs least
    assert sorted(weights)[2] == pytest.approx(1.0)  # the median class keeps 1 (five classes, all present)
    assert data.class_weights(config_for(sample_dir, "loss.class_weights=none"), splits) is None


def test_a_mask_with_a_value_outside_the_classes_is_named(sample_dir, tmp_path):
    for folder in ("images", "masks"):
        (tmp_path / folder).mkdir()
        for path in sorted((sample_dir / folder).iterdir())[:3]:
            (tmp_path / folder / path.name).write_bytes(path.read_bytes())
    bad = sorted((tmp_path / "masks").iterdir())[1]
    Image.fromarray(np.full((32, 32), 9, dtype=np.uint8)).save(bad)
    with pytest.raises(UserError, match=rf"{bad.name} has 9; add them to data.classes or set data.ignore_value"):
        data.read_splits(config_for(tmp_path, FIVE_CLASSES).data, seed=0)


def test_auto_image_size_is_at_most_the_median_picture_size_rounded_to_32(sample_dir):
    config = config_for(sample_dir)
    assert data.image_size(config, data.read_splits(config.data, 0)) == 32  # the 32-pixel scenes
    assert data.image_size(load("configs/default.yaml", ["data.image_size=96"]), splits=None) == 96


def small_objects(directory, count=6, side=256):
    """`count` pictures of `side` px, each mask with four 32-pixel squares (an eighth of the side) and one of 96."""
    for folder in ("images", "masks"):
        (directory / folder).mkdir(parents=True)
    rng = np.random.default_rng(0)
    for index in range(count):
        mask = np.zeros((side, side), dtype=np.uint8)
        mask[16:48, 16:48] = 1
        mask[16:48, 48:80] = 2  # touching the first, but of another class: an object of its own
        mask[100:132, 100:132] = 3
        mask[200:232, 150:182] = 1
        mask[120:216, 8:104] = 2
        Image.fromarray(mask).save(directory / "masks" / f"{index}.png")
        picture = rng.integers(0, 256, (side, side, 3), dtype=np.uint8)
        Image.fromarray(picture).save(directory / "images" / f"{index}.png")
    return directory


def test_auto_image_size_gives_the_small_objects_one_cell_of_the_models_coarsest_map(tmp_path, capsys):
    # The 25th percentile of the objects is an eighth of the side: at 128 px a 16 px cell of the default U-Net's
    # coarsest map (four halvings), at 256 (the pictures' own size) one of an encoder's (five); with two levels, 4
    # px cells, the 32 px floor.
    directory = small_objects(tmp_path / "data")

    def auto_size(*overrides):
        config = config_for(directory, *overrides)
        return data.image_size(config, data.read_splits(config.data, 0))

    assert auto_size() == 128
    assert capsys.readouterr().out.splitlines()[-1] == (
        "data.image_size auto: 128 px (images' median 256 px; small objects, the 25th percentile of 25, are 12.5% "
        "of the side: 16 px at 128 px; the model's output stride is 16 px)"
    )
    assert auto_size("model.encoder=mobilenet_v3_small") == 256
    assert auto_size("model.filters=[8, 16]") == 32


LABELMAP = """# label:color_rgb:parts:actions
background:0,0,0::
aeroplane:128,0,0::
bicycle:0,128,0::
"""


@pytest.mark.parametrize(
    ("names_file", "text", "names"),
    [
        (None, "", {}),
        ("classes.txt", "background\nroad\ncar\n\n\nperson\n", {0: "background", 1: "road", 2: "car", 5: "person"}),
        ("masks/labelmap.txt", LABELMAP, {0: "background", 1: "aeroplane", 2: "bicycle"}),
    ],
)
def test_auto_classes_are_the_mask_values_named_by_a_names_file_beside_the_masks(
    eleven_classes, names_file, text, names
):
    directory, values = eleven_classes
    if names_file:
        (directory / names_file).write_text(text)
    config = config_for(directory, "data.ignore_value=255")
    assert config.data.classes == "auto"
    splits = data.read_splits(config.data, seed=0)
    assert [mask_class.value for mask_class in config.data.classes] == list(values)  # 255 stays ignored
    assert config.data.class_names == [names.get(value, f"class_{value}") for value in values]
    assert splits.train_pixels.shape == (5, 11) and splits.train_pixels.min() > 0  # all classes in every mask
    assert splits.train_pixels.sum(axis=1).tolist() == [32 * 32 - 85] * 5  # 255's 85 pixels count nowhere


def test_auto_classes_without_the_ignore_value_keep_255_as_a_class(eleven_classes):
    config = config_for(eleven_classes[0])
    data.read_splits(config.data, seed=0)
    assert config.data.class_names[-2:] == ["class_200", "class_255"]


def test_auto_classes_on_colour_masks_ask_for_the_colours_in_one_line(eleven_classes):
    mask = eleven_classes[0] / "masks" / "3.png"
    Image.open(mask).convert("RGB").save(mask)
    with pytest.raises(UserError, match=r"^1 mask not 8-bit single-channel where data.classes .* auto: 3.png \(RGB\)"):
        data.read_splits(config_for(eleven_classes[0]).data, seed=0)


def test_sigmoid_on_auto_classes_other_than_two_stops_in_one_line(sample_dir):
    with pytest.raises(UserError, match="^data.classes auto: model.activation sigmoid needs exactly two .* found 5"):
        Segmentation().read_data(config_for(sample_dir, "model.activation=sigmoid"))
