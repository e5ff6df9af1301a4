import pytest

from {{ cookiecutter.package_name }}.config import load
from {{ cookiecutter.package_name }}.mask_files import MaskEncoding
from {{ cookiecutter.package_name }}.runtime.errors import UserError


def test_the_default_config_reads_the_classes_from_the_masks():
    config = load("configs/default.yaml")
    assert config.data.classes == "auto"  # `data.read_splits` resolves it, see test_data
    assert config.loss.term_list == ["cross_entropy", "dice"]


def test_listed_classes_make_a_value_encoding():
    config = load("configs/default.yaml", ["data.classes=[{name: sky, value: 0}, {name: road, value: 7}]"])
    assert config.data.class_names == ["sky", "road"]
    assert config.data.encoding() == MaskEncoding(values=(0, 7))


def test_classes_given_by_colour_make_a_colour_encoding_with_its_ignore_colour():
    config = load(
        "configs/default.yaml",
        [
            "data.classes=[{name: sky, colour: [128, 128, 128]}, {name: road, colour: [128, 64, 128]}]",
            "data.ignore_value=[0, 0, 0]",
        ],
    )
    assert config.data.encoding() == MaskEncoding(colours=((128, 128, 128), (128, 64, 128)), ignore=(0, 0, 0))


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("data.classes=[{name: sky, value: 0}, {name: road, colour: [1, 2, 3]}]", "give every class a value"),
        ("data.classes=[{name: sky, value: 0}, {name: sky, value: 1}]", "must be given and differ"),
        ("data.classes=[{name: sky, value: 300}, {name: road, value: 1}]", "value 300 is not in 0..255"),
        ("data.ignore_value=[255, 255, 255]", "data.classes auto reads index masks"),
        ("data.classes=automatic", "expected one of 'auto' or a list"),
        ("data.image_size=100", "multiple of 32"),
        ("loss.terms=cross_entropy+tversky", "loss.terms"),
        ("model.weights=imagenet", "unet has no ImageNet weights"),
        ("data.val_images_dir=val/images", "go together"),
    ],
)
def test_a_mistake_names_its_key_and_the_fix(override, message):
    with pytest.raises(UserError, match=message):
        load("configs/default.yaml", [override])


def test_sigmoid_with_other_than_two_listed_classes_is_a_mistake():
    three = "data.classes=[{name: sky, value: 0}, {name: road, value: 1}, {name: car, value: 2}]"
    with pytest.raises(UserError, match="model.activation sigmoid needs exactly two data.classes"):
        load("configs/default.yaml", ["model.activation=sigmoid", three])
