import pytest

from {{ cookiecutter.package_name }}.config import load
from {{ cookiecutter.package_name }}.mask_files import MaskEncoding
from {{ cookiecutter.package_name }}.runtime.errors import UserError


def test_the_default_config_reads_the_sample_data_as_index_masks():
    config = load("configs/default.yaml")
    assert config.data.class_names == ["background", "circle", "square", "triangle", "star"]
    assert config.data.encoding() == MaskEncoding(values=(0, 1, 2, 3, 4))
    assert config.loss.term_list == ["cross_entropy", "dice"]


def test_classes_given_by_colour_make_a_colour_encoding_with_its_ignore_colour():
    config = load("configs/default.yaml", [
        "data.classes=[{name: sky, colour: [128, 128, 128]}, {name: road, colour: [128, 64, 128]}]",
        "data.ignore_value=[0, 0, 0]"])
    assert config.data.encoding() == MaskEncoding(colours=((128, 128, 128), (128, 64, 128)), ignore=(0, 0, 0))


@pytest.mark.parametrize(("override", "message"), [
    ("data.classes=[{name: sky, value: 0}, {name: road, colour: [1, 2, 3]}]", "give every class a value"),
    ("data.classes=[{name: sky, value: 0}, {name: sky, value: 1}]", "must be given and differ"),
    ("data.classes=[{name: sky, value: 300}, {name: road, value: 1}]", "value 300 is not in 0..255"),
    ("data.ignore_value=[255, 255, 255]", "data.ignore_value"),
    ("data.image_size=100", "multiple of 32"),
    ("loss.terms=cross_entropy+tversky", "loss.terms"),
    ("model.activation=sigmoid", "exactly two data.classes"),
    ("model.weights=imagenet", "unet has no ImageNet weights"),
    ("data.val_images_dir=val/images", "go together"),
])
def test_a_mistake_names_its_key_and_the_fix(override, message):
    with pytest.raises(UserError, match=message):
        load("configs/default.yaml", [override])
