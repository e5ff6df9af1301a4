"""Typed configs: keys and values checked, mistakes named with the file, the key and the fix."""

import dataclasses
from typing import Literal, Union

import pytest
from shared.runtime.config import apply_overrides, flatten, load_config, read_yaml
from shared.runtime.errors import UserError


@dataclasses.dataclass
class Block:
    filters: int = 8
    padding: Literal["same", "valid"] = "same"


@dataclasses.dataclass
class Train:
    epochs: int = 10
    learning_rate: float = 0.001
    size: Union[int, Literal["auto"]] = "auto"
    blocks: list[Block] = dataclasses.field(default_factory=lambda: [Block()])
    mixed: bool = False

    def validate(self):
        if self.epochs < 1:
            raise ValueError(f"train.epochs is {self.epochs}, expected 1 or more")


@dataclasses.dataclass
class Config:
    train: Train = dataclasses.field(default_factory=Train)


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("train:\n  epochs: 3\n  blocks:\n    - {filters: 4, padding: valid}\n")
    return path


def test_file_and_overrides_become_typed_dataclasses(config_file):
    config = load_config(Config, config_file, ["train.learning_rate=1e-2", "train.size=64", "train.mixed=true"])
    assert config.train == Train(epochs=3, learning_rate=0.01, size=64, blocks=[Block(4, "valid")], mixed=True)


@pytest.mark.parametrize(
    "override, message",
    [
        ("train.epoks=3", "unknown key train.epoks; did you mean train.epochs?"),
        ("train.epochs=3.5", "train.epochs is 3.5, expected a whole number"),
        ("train.size=big", "train.size is 'big', expected a whole number or one of 'auto'"),
        ("train.blocks=[{padding: full}]", "train.blocks[0].padding is 'full', expected one of 'same', 'valid'"),
        ("train.mixed=maybe", "train.mixed is 'maybe', expected true or false"),
        ("train.epochs=0", "train.epochs is 0, expected 1 or more"),
        ("train", "must look like section.key=value"),
    ],
)
def test_mistakes_are_named(config_file, override, message):
    with pytest.raises(UserError) as error:
        load_config(Config, config_file, [override])
    assert message in str(error.value)


def test_yaml_errors_name_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("train:\n  epochs: [3\n")
    with pytest.raises(UserError, match=r"bad.yaml line \d+"):
        read_yaml(path)
    with pytest.raises(UserError, match="not found"):
        read_yaml(tmp_path / "missing.yaml")


def test_overrides_make_sections_and_leave_the_input_alone():
    data = {"train": {"epochs": 1}}
    assert apply_overrides(data, ["train.epochs=2", "data.dir=x"]) == {"train": {"epochs": 2}, "data": {"dir": "x"}}
    assert data == {"train": {"epochs": 1}}


def test_flatten_for_hparams():
    assert flatten({"a": {"b": 1, "c": [1, 2]}, "d": "x"}) == {"a.b": 1, "a.c": "[1, 2]", "d": "x"}


def test_configs_name_exactly_the_backbones_that_can_be_built():
    from shared.runtime.backbones import APPLICATIONS
    from shared.runtime.settings import APPLICATION_BACKBONES

    assert APPLICATION_BACKBONES == tuple(APPLICATIONS)
