"""Progress: a bar drawn and redrawn on a terminal, plain lines in a pipe, within an epoch too."""

import os
import pty
import re
import subprocess
import sys

import pytest

BAR = """
from shared.runtime import progress

bar = progress.bar(3, unit_name="item")
for _ in range(3):
    bar.add(1)
"""


def run_bar(stdout):
    """Runs BAR in a fresh process (the shared package on its path) writing to `stdout`."""
    return subprocess.Popen(
        [sys.executable, "-c", BAR],
        stdout=stdout,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )


def test_a_pipe_gets_one_plain_line():
    process = run_bar(subprocess.PIPE)
    output = process.communicate(timeout=120)[0].decode()
    assert re.fullmatch(r"3/3 - \d+s - \d+\w+/item\n", output), repr(output)


def test_a_terminal_gets_a_bar_in_colour():
    terminal, process_end = pty.openpty()
    process = run_bar(process_end)
    os.close(process_end)
    output = b""
    while True:
        try:
            chunk = os.read(terminal, 4096)
        except OSError:  # the process ended and closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(terminal)
    assert process.wait(timeout=120) == 0
    assert b"\x1b[1m3/3\x1b[0m" in output and "━".encode() in output, output


FIT = """
import numpy as np
import keras
from shared.runtime import progress

model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
model.compile("sgd", "mse")
x = np.zeros((32, 2), "float32")
model.fit(x, x[:, :1], batch_size=8, epochs=2, verbose=progress.verbosity(), callbacks=[progress.EpochLines(every=0)])
"""


def test_a_pipe_gets_plain_lines_within_each_epoch():
    """`every=0` stands for a long epoch: a line after each step, with the running loss, then Keras' epoch line."""
    result = subprocess.run(
        [sys.executable, "-c", FIT],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    within = [line for line in lines if re.fullmatch(r"[1-4]/4 - \d+s - loss: \d+\.\d{4}", line)]
    assert len(within) == 8, result.stdout  # 4 steps in each of 2 epochs
    assert lines[0] == "Epoch 1/2" and re.match(r"4/4 - \d+s - \d+\w+/step - loss:", lines[5]), result.stdout
    assert not re.search(r"[\b\r\x1b]", result.stdout)


def test_the_mode_is_one_of_four():
    from shared.runtime import progress

    with pytest.raises(ValueError, match="auto, bar, lines, epochs"):
        progress.use("dots")
