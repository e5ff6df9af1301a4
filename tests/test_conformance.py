"""The contract every template meets (ARCHITECTURE.md), run against every template unchanged.

For each `templates/<task>/` the suite bakes the project with defaults, installs it, runs its own
tests, then drives the verbs as a user would: sample-data, train, evaluate, predict, export; reloads
the export in a fresh process and compares its answers with `predict`'s; kills a training run after
its first epoch and checks the rerun resumes at the next epoch; and feeds a bad config value and a
corrupt data file, which must end in one clear line and exit status 2. The template supplies only
`conformance.yaml`: tiny-run overrides, predict inputs and the bad-input cases.

A template whose bake-time answers change its code and dependencies (the DQN template's `engine`) lists them
as `variants` there: each variant is baked with its answers, installed with its own dependencies into a
virtual environment of its own, and put through the same suite.
"""

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from cookiecutter.main import cookiecutter
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted(path.name for path in (ROOT / "templates").iterdir() if (path / "conformance.yaml").is_file())
BIN = Path(sys.executable).parent


def cases():
    """`{case id: (template, variant or None)}`: every template with its defaults, then each of its variants."""
    found = {}
    for template in TEMPLATES:
        found[template] = (template, None)
        spec = yaml.safe_load((ROOT / "templates" / template / "conformance.yaml").read_text())
        for variant in spec.get("variants", {}):
            found[f"{template}-{variant}"] = (template, variant)  # no brackets: pytest-xdist groups by this id
    return found


CASES = cases()

pytestmark = pytest.mark.slow


class Project:
    """A baked, installed project, the virtual environment it is installed in, and the way to run its script."""

    def __init__(self, path, spec, bin_dir=BIN):
        self.path = path
        self.spec = spec
        self.bin = bin_dir
        self.python = str(bin_dir / "python")
        self.script = str(bin_dir / path.name)

    def run(self, *args, check=True, timeout=600):
        result = subprocess.run([self.script, *args], cwd=self.path, capture_output=True, text=True, timeout=timeout,
                                env={**os.environ, "CUDA_VISIBLE_DEVICES": ""})
        if check and result.returncode != 0:
            pytest.fail(f"{' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
        return result

    def runs(self):
        return sorted((self.path / "runs").iterdir())


# Under pytest-xdist (`make test` runs `-n 2 --dist loadgroup`) every test of one case goes to one worker, so its
# project is baked, installed and trained once, while the cases spread over the workers.
@pytest.fixture(scope="module", params=[pytest.param(case, marks=pytest.mark.xdist_group(case)) for case in CASES])
def project(request, tmp_path_factory):
    name, variant = CASES[request.param]
    template = ROOT / "templates" / name
    spec = yaml.safe_load((template / "conformance.yaml").read_text())
    answers = spec["variants"][variant] if variant else {}
    output = tmp_path_factory.mktemp(request.param)
    settings = output / "cookiecutter.yaml"  # keeps the user's ~/.cookiecutter_replay untouched
    settings.write_text(f"cookiecutters_dir: {output / 'cookiecutters'}\nreplay_dir: {output / 'replay'}\n")
    path = Path(cookiecutter(str(ROOT), directory=f"templates/{name}", no_input=True, output_dir=str(output),
                             config_file=str(settings), extra_context=answers.get("context", {})))
    if variant:
        project = Project(path, spec, own_environment(path, output / "venv", answers.get("extras", ["dev"])))
    else:  # the repository's environment has every template's dependencies
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(path)], check=True)
        project = Project(path, spec)
    project.run("sample-data")
    return project


def own_environment(path, venv, extras):
    """A new virtual environment with the project installed from its own dependencies and `extras`: its bin/."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-e", f"{path}[{','.join(extras)}]"], check=True, timeout=1800)
    return venv / "bin"


@pytest.fixture(scope="module")
def trained(project):
    """One short training run that evaluate, predict and export share."""
    result = project.run("train", *project.spec["train_overrides"], "run.name=trained")
    return project.path / "runs" / "trained", result


def text_files(root):
    for path in root.rglob("*"):
        if path.is_file() and ".git" not in path.parts and path.suffix not in {".png", ".jpg", ".h5", ".keras"}:
            try:
                yield path, path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue


def test_bakes_clean(project):
    for path, text in text_files(project.path / "src"):
        assert "{{" not in text and "{%" not in text, f"unrendered Jinja in {path}"
    for name in ("README.md", "pyproject.toml", "Makefile", "configs/default.yaml", ".gitignore",
                 ".pre-commit-config.yaml", ".github/workflows/ci.yml"):
        assert (project.path / name).is_file(), name
    package = project.path / "src" / project.path.name
    for module in ("cli.py", "task.py", "config.py", "data.py", "model.py", "runtime"):
        assert (package / module).exists(), module
    lint = subprocess.run([str(project.bin / "ruff"), "check", "."], cwd=project.path, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout


def test_own_tests_pass(project):
    result = subprocess.run([project.python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project.path,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_info_names_strategy_precision_and_xla(project):
    out = project.run("info").stdout
    for word in ("tensorflow", "keras", "strategy", "precision", "xla"):
        assert word in out


def test_train_writes_the_run_folder(project, trained):
    run, result = trained
    for name in ("config.yaml", "history.csv", "metrics.json", "logs", "checkpoints"):
        assert (run / name).exists(), name
    assert list((run / "logs").rglob("events.out.tfevents.*")), "no TensorBoard events"
    metrics = json.loads((run / "metrics.json").read_text())
    low, high = project.spec.get("metric_range", [0.0, 1.0])
    assert low <= metrics[project.spec["metric"]] <= high
    assert "Traceback" not in result.stderr


def test_evaluate_writes_metrics(project, trained):
    run, _ = trained
    (run / "metrics.json").unlink()
    out = project.run("evaluate", str(run)).stdout
    metrics = json.loads((run / "metrics.json").read_text())
    assert all(isinstance(value, (int, float)) for value in metrics.values())
    assert project.spec["metric"] in out


def predictions(project, run):
    with open(run / project.spec["predictions_csv"], newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_predict_then_exported_model_answers_the_same_in_a_fresh_process(project, trained):
    run, _ = trained
    inputs = project.spec["predict_inputs"]
    project.run("predict", str(run), *inputs)
    rows = predictions(project, run)
    named = [row[project.spec["predictions_key"]] for row in rows]
    if project.spec.get("predict_inputs_are", "files") == "text":
        assert named == inputs
    else:
        assert [Path(name) for name in named] == [Path(item) for item in inputs]

    project.run("export", str(run))
    export = project.spec["export"]
    imports = "".join(f"import {module}\n" for module in export.get("imports", []))  # ops the SavedModel needs
    reload = f"""
import json, sys
import numpy as np
import tensorflow as tf
{imports}
model = tf.saved_model.load({str(run / export["saved_model"])!r})
endpoint = getattr(model, {export["signature"]!r})
mode = {export["input"]!r}
if mode == "one_file_bytes":  # one call per file: outputs at each file's own size
    outputs = [endpoint(tf.constant(open(path, "rb").read())) for path in {inputs!r}]
    served = {{key: [output[key].numpy() for output in outputs] for key in {list(export["compare"])!r}}}
elif mode == "arrays":  # one batch of the .npy files' arrays (observations), stacked
    output = endpoint(tf.constant(np.stack([np.load(path) for path in {inputs!r}])))
    served = {{key: list(output[key].numpy()) for key in {list(export["compare"])!r}}}
else:  # one batch: of the files' bytes, or of the inputs themselves as strings
    output = endpoint(tf.constant({inputs!r} if mode == "strings" else [open(p, "rb").read() for p in {inputs!r}]))
    served = {{key: list(output[key].numpy()) for key in {list(export["compare"])!r}}}
plain = lambda v: v.decode() if isinstance(v, bytes) else v.tolist() if isinstance(v, np.ndarray) else float(v)
print(json.dumps({{key: [plain(value) for value in values] for key, values in served.items()}}))
"""
    fresh = subprocess.run([project.python, "-c", reload], cwd=project.path, capture_output=True, text=True,
                           env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}, timeout=300)
    assert fresh.returncode == 0, fresh.stderr[-3000:]
    served = json.loads(fresh.stdout.strip().splitlines()[-1])
    table_folder = (run / project.spec["predictions_csv"]).parent
    for output_key, column in export["compare"].items():
        if isinstance(column, dict):  # {png: column}: the served array against the PNG file that column names
            for value, row in zip(served[output_key], rows, strict=True):
                expected = np.asarray(Image.open(table_folder / row[column["png"]]))
                assert np.shape(value) == expected.shape
                assert (np.asarray(value) == expected).mean() >= 0.999, row[column["png"]]
            continue
        expected = [row[column] for row in rows]
        if isinstance(served[output_key][0], str):
            assert served[output_key] == expected
        else:
            assert served[output_key] == pytest.approx([float(value) for value in expected], abs=1e-4)


def test_killed_run_resumes_at_the_next_epoch(project):
    args = [project.script, "train", *project.spec["resume_overrides"], "run.name=killed"]
    state = project.path / "runs" / "killed" / "checkpoints" / "state.json"
    process = subprocess.Popen(args, cwd=project.path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not state.is_file() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert state.is_file(), "training ended or timed out before its first checkpoint"
    done = json.loads(state.read_text())["epochs_done"]
    assert not (project.path / "runs" / "killed" / "metrics.json").exists(), "finished before the kill"

    result = project.run("train", *project.spec["resume_overrides"], "run.name=killed")
    assert f"resuming run runs/killed at epoch {done + 1}" in result.stdout
    total = int(next(o for o in project.spec["resume_overrides"] if o.startswith("train.epochs=")).split("=")[1])
    with open(project.path / "runs" / "killed" / "history.csv", newline="") as handle:
        assert [int(row["epoch"]) for row in csv.DictReader(handle)] == list(range(total))
    assert (project.path / "runs" / "killed" / "metrics.json").is_file()


def assert_one_clear_line(result, must_mention):
    assert result.returncode == 2, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert must_mention in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def test_bad_config_value_is_one_clear_line(project):
    bad = project.spec["bad_config"]
    assert_one_clear_line(project.run("train", bad["override"], check=False), bad["message"])


def test_corrupt_data_file_is_one_clear_line(project, tmp_path):
    corrupt = project.spec["corrupt_file"]
    original = project.path / corrupt["path"]
    saved = original.read_bytes()
    try:
        original.write_bytes(b"this is not an image")
        result = project.run("train", *project.spec["train_overrides"], "run.name=corrupt", check=False)
    finally:
        original.write_bytes(saved)
    assert_one_clear_line(result, corrupt["message"])
