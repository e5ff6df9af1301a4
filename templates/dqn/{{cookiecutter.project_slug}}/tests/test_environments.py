"""Environment ids are checked before training: close ids suggested, Atari and continuous actions explained."""

import sys

import pytest

from {{ cookiecutter.package_name }}.environments import check_environment
from {{ cookiecutter.package_name }}.runtime.errors import UserError


def test_a_registered_discrete_environment_passes():
    check_environment("CartPole-v1")


@pytest.mark.parametrize(
    "typed, suggested", [("cartpole-v1", "CartPole-v1"), ("CartPole-v9", "CartPole-v1"), ("Acrobot-v2", "Acrobot-v1")]
)
def test_an_unknown_id_names_the_key_and_the_close_registered_ids(typed, suggested):
    with pytest.raises(UserError, match=f"env.id {typed} is not a registered .* did you mean .*{suggested}"):
        check_environment(typed)


def test_an_id_like_nothing_registered_says_how_to_list_them():
    with pytest.raises(UserError, match="pprint_registry"):
        check_environment("NoSuchEnvironmentAnywhere-v0")  # unlike any id, Atari's too (NameThisGame-v0)


def test_continuous_actions_are_refused_with_discrete_alternatives():
    with pytest.raises(UserError, match="Pendulum-v1 has Box actions.*CartPole-v1"):
        check_environment("Pendulum-v1")


def test_an_atari_id_without_ale_py_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "ale_py", None)  # as if ale-py were not installed: importing it fails
    with pytest.raises(UserError, match="pip install ale-py"):
        check_environment("ALE/Pong-v5")
