"""What the template benchmarks share: a freshly baked project, a measuring script run inside it, and how timed
rounds are summed up.

The baked package is imported from its own src/ (`imported_from_src`) rather than `pip install -e`d where it can
be: the tests reinstall the projects into the shared venv from their own temporary folders, which would race
with a benchmark's run.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

from cookiecutter.main import cookiecutter

ROOT = Path(__file__).resolve().parent.parent


def bake(template, context=None):
    """The project `templates/<template>` bakes with its defaults, but for the answers in `context`, in a new
    temporary folder."""
    output = Path(tempfile.mkdtemp(prefix="bench-"))
    return Path(
        cookiecutter(
            str(ROOT),
            directory=f"templates/{template}",
            no_input=True,
            output_dir=str(output),
            extra_context=context or {},
        )
    )


def imported_from_src(project):
    """The environment that runs `project`'s package from its src/, on the CPU."""
    return {**os.environ, "CUDA_VISIBLE_DEVICES": "", "PYTHONPATH": str(project / "src")}


def measure(project, script, *args, env):
    """Runs the Python source `script` with `args` in `project`; returns the JSON of its last line of output.
    A failure ends the benchmark with the script's error output."""
    result = subprocess.run(
        [sys.executable, "-c", script, *map(str, args)], cwd=project, capture_output=True, text=True, env=env
    )
    if result.returncode:
        sys.exit(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def epoch_lines(project, overrides, key):
    """Runs `train` with `overrides` in a pipe, as a user's run in a terminal log; returns `[(seconds since start,
    {name: value})]`, one per epoch line that has `key` (`key: value`, e.g. `val_map_50`), and the seconds to the
    process's end."""
    process = subprocess.Popen(
        [sys.executable, "-m", project.name, "train", *overrides, "train.progress=epochs"],
        cwd=project,
        stdout=subprocess.PIPE,
        text=True,
        env=imported_from_src(project),
    )
    start, curve = time.monotonic(), []
    for line in process.stdout:
        values = {name: float(value) for name, value in re.findall(r"\b(\w+): ([0-9.e+-]+)", line)}
        if key in values:
            curve.append((time.monotonic() - start, values))
    if process.wait():
        sys.exit(f"train exited {process.returncode}")
    return curve, time.monotonic() - start


def stamped_training(project, overrides, key):
    """`epoch_lines` of `key` alone: `[(seconds since start, value of key)]`, and the seconds to the end."""
    curve, seconds = epoch_lines(project, overrides, key)
    return [(stamp, values[key]) for stamp, values in curve], seconds


def paired_ratio(baseline_seconds, seconds):
    """The median over rounds of the baseline's time / this time, both of the same round: a slow spell that
    hits a whole round cancels out."""
    return median(base / this for base, this in zip(baseline_seconds, seconds, strict=True))


def spread(seconds):
    """`median (min-max)` of timed rounds, in seconds."""
    return f"{median(seconds):.2f} ({min(seconds):.2f}-{max(seconds):.2f})"
