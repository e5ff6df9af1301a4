import pytest

from {{ cookiecutter.package_name }}.config import load
from {{ cookiecutter.package_name }}.runtime.errors import UserError


def test_default_config_loads():
    config = load("configs/default.yaml")
    assert config.data.dir == "data/sample"
    assert [block.filters for block in config.model.blocks] == [32, 64, 128, 128]


def test_overrides_are_typed():
    config = load("configs/default.yaml", ["train.epochs=3", "train.learning_rate=1e-3", "augment.mix=cutmix"])
    assert config.train.epochs == 3
    assert config.train.learning_rate == pytest.approx(0.001)
    assert config.augment.mix == "cutmix"


@pytest.mark.parametrize(
    "override, message",
    [
        ("train.epoch=3", "unknown key train.epoch; did you mean train.epochs?"),
        ("train.epochs=many", "train.epochs is 'many', expected a whole number"),
        ("model.backbone=resnet", "model.backbone is 'resnet', expected one of"),
        ("data.val_fraction=1.5", "data.val_fraction is 1.5"),
        ("model.weights=missing.h5", "model.weights 'missing.h5' is neither imagenet, none, nor an existing file"),
    ],
)
def test_mistakes_name_the_key(override, message):
    with pytest.raises(UserError, match=None) as error:
        load("configs/default.yaml", [override])
    assert message in str(error.value)
    assert "configs/default.yaml" in str(error.value)
