import keras_hub
import pytest

from {{ cookiecutter.package_name }}.presets import from_preset
from {{ cookiecutter.package_name }}.runtime.errors import UserError


@pytest.mark.parametrize("kind", [keras_hub.models.BertBackbone, keras_hub.models.GPT2Tokenizer])
def test_a_preset_that_cannot_be_loaded_is_one_line_saying_how_to_use_a_local_copy(kind, tmp_path):
    with pytest.raises(UserError, match=r"model.preset no_such_preset_en: the preset could not be loaded \(.+\); "):
        from_preset(kind, "no_such_preset_en")
    with pytest.raises(UserError, match=f"model.preset {tmp_path}: the folder could not be loaded .+ set model.preset"):
        from_preset(kind, str(tmp_path))  # an empty folder
