"""configs/default.yaml shows every knob at its default, and a wrong value is one line naming its key."""

import pytest

from {{ cookiecutter.package_name }}.config import Config, load
from {{ cookiecutter.package_name }}.runtime.errors import UserError


def test_the_default_file_holds_the_defaults():
    assert load("configs/default.yaml") == Config()


@pytest.mark.parametrize(
    "override, key",
    [
        ("data.image_size=20", "data.image_size"),
        ("data.channels=2", "data.channels"),
        ("quality.epoch_samples=5", "quality.epoch_samples"),
{%- if cookiecutter.model_family == 'diffusion' %}
        ("sample.method=plms", "sample.method"),
        ("model.attention_levels=[7]", "model.attention_levels"),
{%- elif cookiecutter.model_family == 'gan' %}
        ("model.loss=wasserstein", "model.loss"),
        ("model.critic_steps=0", "model.critic_steps"),
{%- else %}
        ("model.reconstruction=l1", "model.reconstruction"),
        ("model.latent_dim=0", "model.latent_dim"),
{%- endif %}
    ],
)
def test_a_wrong_value_names_its_key(override, key):
    with pytest.raises(UserError, match=key):
        load("configs/default.yaml", [override])
