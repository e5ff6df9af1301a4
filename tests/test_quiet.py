"""C++ log lines are hidden while TensorFlow's own are, and shown when they are on (`--verbose`)."""

import os

import pytest
from shared.runtime import quiet


def test_native_logs_are_hidden_while_tensorflow_logs_are_off(capfd, monkeypatch):
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    with quiet.native_logs_hidden():
        os.write(2, b"normalizer.cc(51) LOG(INFO) precompiled_charsmap is empty.\n")
    with pytest.raises(ValueError), quiet.native_logs_hidden():
        raise ValueError("stderr comes back after an error too")
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"


def test_native_logs_show_when_tensorflow_logs_are_on(capfd, monkeypatch):
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL")
    with quiet.native_logs_hidden():
        os.write(2, b"normalizer.cc(51) LOG(INFO) precompiled_charsmap is empty.\n")
    assert capfd.readouterr().err == "normalizer.cc(51) LOG(INFO) precompiled_charsmap is empty.\n"


def test_the_command_line_loads_tensorflow_only_once_a_verb_needs_it():
    """`import_tensorflow` hides TensorFlow's start-up noise only if nothing imported it before: not the command
    line's own modules, which check configs and inputs first."""
    import subprocess
    import sys

    script = "import sys; import shared.runtime.cli; print(sorted({'keras', 'tensorflow'} & set(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        timeout=120,
    )
    assert result.stdout.strip() == "[]", result.stdout + result.stderr
