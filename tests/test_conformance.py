"""The contract every template meets (ARCHITECTURE.md), run against every template unchanged.

For each `templates/<task>/` the suite bakes the project with defaults, installs it as its README says
(`make install`: a virtual environment of its own, from its own pyproject.toml), runs its CI workflow's steps
(`make lint`, `make test`), then drives the verbs as a user would: sample-data, train, evaluate, predict,
export; reloads the export in a fresh process and compares its answers with `predict`'s; kills a training run after
its second epoch and checks that copies of it resume at the next epoch, resume from the checkpoint before a damaged
one, and refuse other verbs in one line; and feeds a bad config value and a corrupt data file, which must end in one
clear line and exit status 2. The template supplies only `conformance.yaml`: tiny-run overrides, predict inputs and
the bad-input cases.

A template whose bake-time answers change its code and dependencies (the DQN template's `engine`) lists them
as `variants` there: each variant is baked with its answers (`context`) and put through the same suite, with the
entries of its `spec` in place of the template's (the text-transformers template's `gpt` generates text where
`bert` classifies it: other predict inputs and export outputs). A variant without `context` is the same bake with
other run settings (the object-detection template's `faster_rcnn_masks`): it runs the verbs in a copy of its
template's project and environment, not again the CI steps.
"""

import contextlib
import csv
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import yaml
from cookiecutter.main import cookiecutter
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
# The slowest templates first, each with its variants (seconds in a fresh clone's `make test` on 2 cores: object
# detection with its Faster R-CNN variant 576, text transformers' two families 663, seq2seq 358, image classification
# 345, generative's three families 703, segmentation 302; the rest, dqn's two engines 435 in shorter cases, last):
# pytest-xdist hands the bakes out in this order, so the workers end together instead of one running a long case alone.
SLOWEST_FIRST = [
    "object-detection",
    "text-transformers",
    "seq2seq",
    "image-classification",
    "generative",
    "segmentation",
]
TEMPLATES = sorted(
    (path.name for path in (ROOT / "templates").iterdir() if (path / "conformance.yaml").is_file()),
    key=lambda name: (SLOWEST_FIRST.index(name) if name in SLOWEST_FIRST else len(SLOWEST_FIRST), name),
)


def cases():
    """`{case id: (template, variant or None, bake id)}`: every template with its defaults, then each of its variants.
    The bake id names what is baked and installed: the case itself, or for a variant without bake-time answers, its
    template's case, whose project it shares."""
    found = {}
    for template in TEMPLATES:
        found[template] = (template, None, template)
        spec = yaml.safe_load((ROOT / "templates" / template / "conformance.yaml").read_text())
        for variant, answers in spec.get("variants", {}).items():
            case = f"{template}-{variant}"  # no brackets: pytest-xdist groups by the bake id
            found[case] = (template, variant, case if answers.get("context") else template)
    return found


CASES = cases()
BAKED = {}  # bake id -> the project folder baked and installed for it in this pytest process

pytestmark = pytest.mark.slow


class Project:
    """A baked, installed project, the virtual environment it is installed in, and the way to run its script."""

    def __init__(self, path, spec, bin_dir, runs_ci=True):
        self.path = path
        self.spec = spec
        self.bin = bin_dir
        self.runs_ci = runs_ci  # False: a variant baked as the template's own case, whose CI steps run there
        self.python = str(bin_dir / "python")
        self.script = str(bin_dir / path.name)

    def run(self, *args, check=True, timeout=600):
        result = subprocess.run(
            [self.script, *args],
            cwd=self.path,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=project_environment(),
        )
        if check and result.returncode != 0:
            pytest.fail(f"{' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
        for noise in ("\b", "\r", "\x1b[", "LOG("):  # a pipe gets plain lines, and no C++ library's log
            assert noise not in result.stdout + result.stderr, f"{args[0]} printed {noise!r} into a pipe"
        return result

    def runs(self):
        return sorted((self.path / "runs").iterdir())


# Under pytest-xdist (`make test` runs `-n 2 --dist loadgroup`) every test of one bake goes to one worker, so its
# project is baked, installed and trained once, while the bakes spread over the workers.
@pytest.fixture(
    scope="module",
    params=[pytest.param(case, marks=pytest.mark.xdist_group(bake)) for case, (*_, bake) in CASES.items()],
)
def project(request, tmp_path_factory):
    name, variant, bake = CASES[request.param]
    template = ROOT / "templates" / name
    spec = yaml.safe_load((template / "conformance.yaml").read_text())
    answers = spec["variants"][variant] if variant else {}
    spec = {**spec, **answers.get("spec", {})}
    runs_ci = variant is None or bool(answers.get("context"))
    output = tmp_path_factory.mktemp(request.param)
    if bake in BAKED:  # the same bake with other run settings: a copy of its project, in the same environment
        path = Path(
            shutil.copytree(BAKED[bake], output / BAKED[bake].name, ignore=shutil.ignore_patterns(".venv", "runs"))
        )
        (path / ".venv").symlink_to(BAKED[bake] / ".venv")
        project = Project(path, spec, path / ".venv" / "bin", runs_ci)
        project.run("sample-data")
        return project
    settings = output / "cookiecutter.yaml"  # keeps the user's ~/.cookiecutter_replay untouched
    settings.write_text(f"cookiecutters_dir: {output / 'cookiecutters'}\nreplay_dir: {output / 'replay'}\n")
    path = Path(
        cookiecutter(
            str(ROOT),
            directory=f"templates/{name}",
            no_input=True,
            output_dir=str(output),
            config_file=str(settings),
            extra_context=answers.get("context", {}),
        )
    )
    # As its README says: a .venv of its own, from its own pyproject.toml. Without pip compiling every module of
    # TensorFlow and JAX ahead (most are never imported), which took a fifth of the install's time here: the first
    # command to import a module compiles it once (project_environment).
    make(path, "install", timeout=1800, PIP_NO_COMPILE="1")
    BAKED[bake] = path
    project = Project(path, spec, path / ".venv" / "bin", runs_ci)
    project.run("sample-data")
    return project


def project_environment(**extra):
    """The environment of the project's commands: no GPU, and Python free to cache the bytecode of the modules it
    imports. `make install` runs here without pip's ahead-of-time compilation; where the environment also says
    PYTHONDONTWRITEBYTECODE, as container images often do, every command would compile TensorFlow's modules again
    (its import: 10-12 s instead of 4-5 s here)."""
    inherited = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**inherited, "CUDA_VISIBLE_DEVICES": "", **extra}


def make(path, *args, timeout, **environment):
    """`make ARGS` in the project, with no GPU: fails the test with the output when it does not succeed."""
    return run_shell(path, " ".join(["make", *args]), timeout, **environment)


def run_shell(path, command, timeout, **environment):
    result = subprocess.run(
        ["bash", "-c", command],
        cwd=path,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=project_environment(**environment),
    )
    if result.returncode != 0:
        pytest.fail(f"{command} exited {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


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
    for name in (
        "README.md",
        "pyproject.toml",
        "Makefile",
        "configs/default.yaml",
        ".gitignore",
        ".pre-commit-config.yaml",
        ".github/workflows/ci.yml",
    ):
        assert (project.path / name).is_file(), name
    package = project.path / "src" / project.path.name
    for module in ("cli.py", "task.py", "config.py", "data.py", "model.py", "runtime"):
        assert (package / module).exists(), module


def test_its_ci_steps_pass_as_on_the_first_push(project):
    """The steps of the project's own workflow, in order, as GitHub would run them: they lint, check the formatting
    and run its tests with what `make install` installed, so a green run here is a green first push."""
    if not project.runs_ci:
        pytest.skip("the template's own bake, whose case runs these steps")
    workflow = yaml.safe_load((project.path / ".github" / "workflows" / "ci.yml").read_text())
    steps = [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]
    assert {"make lint", "make test"} <= set(steps), steps
    for command in steps:
        run_shell(project.path, command, timeout=1800)


def test_the_kubernetes_job_starts_every_process_of_one_run(project):
    """A project whose config has the `distribution:` section ships a Kubernetes Job of its several-hosts training:
    valid names, one pod per process, pod 0's stable address as the coordinator, the project's own `train`."""
    manifest = project.path / "kubernetes" / "train-job.yaml"
    if "distribution" not in yaml.safe_load((project.path / "configs" / "default.yaml").read_text()):
        assert not manifest.exists(), "a Job for a project that trains on one machine only"
        pytest.skip("trains on one machine only")
    service, job = yaml.safe_load_all(manifest.read_text())
    name = job["metadata"]["name"]
    for value in (name, service["metadata"]["name"]):
        assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", value), f"{value} is not a Kubernetes name"
    pod = job["spec"]["template"]["spec"]
    container = pod["containers"][0]
    env = {item["name"]: item.get("value", item.get("valueFrom")) for item in container["env"]}
    port = service["spec"]["ports"][0]["port"]
    assert job["spec"]["completionMode"] == "Indexed" and pod["subdomain"] == service["metadata"]["name"]
    assert job["spec"]["completions"] == job["spec"]["parallelism"] == int(env["KERAS_DISTRIBUTION_NUM_PROCESSES"])
    assert env["KERAS_DISTRIBUTION_JOB_ADDRESSES"] == f"{name}-0.{pod['subdomain']}:{port}"
    assert "job-completion-index" in env["KERAS_DISTRIBUTION_PROCESS_ID"]["fieldRef"]["fieldPath"]
    assert env["KERAS_BACKEND"] == "jax" and container["ports"][0]["containerPort"] == port
    assert container["command"][:2] == [project.path.name, "train"]
    assert any(argument.startswith("run.name=") for argument in container["command"])


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


def test_tensorboard_shows_each_run_once_with_its_curves_pictures_graph_and_hparams(project, trained):
    """`tensorboard --logdir runs`, started as a user would on the finished run and asked through its HTTP API: each
    run folder is one TensorBoard run, named by the folder, holding the loss, the field's metric, the learning rate,
    the pictures and the model's graph; the HParams dashboard has one row named by the folder, with the knobs the
    template registers as columns in its order, the field's metric the first score."""
    run, _ = trained
    with tensorboard_server(project) as answer:
        expected = f"{run.name}/logs"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # TensorBoard loads the event files after it answers
            experiment = answer("/data/plugin/hparams/experiment", {"experimentName": ""})
            scalars = answer("/data/plugin/scalars/tags").get(expected, {})
            if experiment.get("hparamInfos") and f"final/{project.spec['metric']}" in scalars:
                break
            time.sleep(1)
        shown = [name for name in answer("/data/runs") if name.split("/")[0] == run.name]
        assert shown == [expected], "the run folder is one TensorBoard run, not one per kind of summary"

        field = project.spec["metric"]
        assert f"final/{field}" in scalars and any(tag.endswith("loss") for tag in scalars), sorted(scalars)
        if "epoch_loss" in scalars:  # Keras fit: the training and validation curves, drawn in one chart
            assert {"epoch_val_loss", f"epoch_val_{field}", "epoch_learning_rate"} <= set(scalars), sorted(scalars)
            charts = answer("/data/plugin/custom_scalars/layout")["category"][0]["chart"]
            assert {"title": "loss", "multiline": {"tag": ["^epoch_(val_)?loss$"]}} in charts
        else:  # a loop of its own (DQN): the loss of its updates, per environment step
            assert {"train/loss", "eval/mean_return"} <= set(scalars), sorted(scalars)
        assert answer("/data/plugin/images/tags").get(expected), "no pictures in the run"
        assert answer("/data/plugin/graphs/info").get(expected, {}).get("run_graph"), "no model graph"

        knobs, scores = registered_hparams(project)
        config = flat(yaml.safe_load((run / "config.yaml").read_text()))
        assert 0 < len(knobs) < len(config) / 2, "register the knobs that matter, not every config key"
        columns = [info["displayName"] for info in experiment["hparamInfos"]]
        assert columns == [knob for knob in knobs if knob in config]
        measures = [info["name"]["tag"] for info in experiment["metricInfos"]]
        assert [tag.removeprefix("final/") for tag in measures] == scores and measures[0] == f"final/{field}"
        assert set(measures) <= set(scalars), "a registered score TensorBoard has no values of"
        statuses = ["STATUS_UNKNOWN", "STATUS_SUCCESS", "STATUS_FAILURE", "STATUS_RUNNING"]
        request = {"experimentName": "", "allowedStatuses": statuses, "startIndex": 0, "sliceSize": 100}
        groups = answer("/data/plugin/hparams/session_groups", request)["sessionGroups"]
        sessions = {group["name"]: [session["name"] for session in group["sessions"]] for group in groups}
        assert sessions.get(run.name) == [expected], sessions


def registered_hparams(project):
    """`(hparams, scores)` the project's `Task` registers for TensorBoard's HParams dashboard."""
    package = project.path.name
    code = (
        f"import json\nfrom {package} import cli\nfrom {package}.runtime.task import Task\n"
        f"[task] = [value for value in vars(cli).values() if isinstance(value, type) and issubclass(value, Task)]\n"
        "print(json.dumps([task.hparams, task.scores]))"
    )
    result = subprocess.run(
        [project.python, "-c", code], capture_output=True, text=True, check=True, timeout=120, env=project_environment()
    )
    return json.loads(result.stdout.splitlines()[-1])


def flat(config, prefix=""):
    """`{"a": {"b": 1}}` -> `{"a.b": 1}`."""
    found = {}
    for key, value in config.items():
        found.update(flat(value, f"{prefix}{key}.") if isinstance(value, dict) else {f"{prefix}{key}": value})
    return found


@contextlib.contextmanager
def tensorboard_server(project):
    """`tensorboard --logdir runs` from the project's environment on a free port; yields `answer(path, body=None)`,
    the JSON of a GET (or, with `body`, a POST) of `path`. The server is stopped on leaving."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [str(project.bin / "tensorboard"), "--logdir", "runs", "--host", "127.0.0.1", "--port", str(port)],
        cwd=project.path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=project_environment(),
    )

    def answer(path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data, {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                answer("/data/runs")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "tensorboard did not start"
                time.sleep(0.5)
        yield answer
    finally:
        server.terminate()
        server.wait(timeout=30)


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
    fresh = subprocess.run(
        [project.python, "-c", reload],
        cwd=project.path,
        capture_output=True,
        text=True,
        env=project_environment(TF_CPP_MIN_LOG_LEVEL="3"),
        timeout=300,
    )
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


def test_summary_of_a_run_describes_its_trained_model(project, trained):
    """`summary RUN` lists the layers of the run's own model.keras, as Keras loads it in the project's environment,
    and its total is that model's parameter count; a run without model.keras is one clear line."""
    run, _ = trained
    rows = [line.split() for line in project.run("summary", str(run)).stdout.splitlines()]
    load = (
        f"import importlib, json, keras; importlib.import_module('{project.path.name}.model')  # its own layers\n"
        f"model = keras.saving.load_model('{run / 'model.keras'}', compile=False)\n"
        "print(json.dumps([[layer.name for layer in model.layers], model.count_params()]))"
    )
    fresh = subprocess.run(
        [project.python, "-c", load],
        cwd=project.path,
        capture_output=True,
        text=True,
        env=project_environment(TF_CPP_MIN_LOG_LEVEL="3"),
        timeout=300,
    )
    assert fresh.returncode == 0, fresh.stderr[-3000:]
    names, total = json.loads(fresh.stdout.strip().splitlines()[-1])
    assert rows[0] == ["layer", "output", "shape", "parameters"]
    assert [row[0] for row in rows[1:-1]] == names
    assert rows[-1][0] == "total" and int(rows[-1][-1].replace(",", "")) == total
    assert all(row[1] != "None" for row in rows[1:-1]), "a layer without its output shape"
    unfinished = project.path / "runs" / "summary-unfinished"
    unfinished.mkdir()
    (unfinished / "config.yaml").write_bytes((run / "config.yaml").read_bytes())
    assert_one_clear_line(project.run("summary", str(unfinished), check=False), "has no model.keras")


def killed_run(project, name, ready):
    """Starts `train` with the resume overrides as run `name` and kills it once `ready(checkpoints folder)` holds: the
    run folder of a run killed in mid-training. The run is paused while `ready` is checked again, so the files it
    saw are the files the kill leaves."""
    args = [project.script, "train", *project.spec["resume_overrides"], f"run.name={name}"]
    checkpoints = project.path / "runs" / name / "checkpoints"
    process = subprocess.Popen(
        args, cwd=project.path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=project_environment()
    )
    deadline = time.monotonic() + 300
    while process.poll() is None and time.monotonic() < deadline:
        if ready(checkpoints):
            process.send_signal(signal.SIGSTOP)
            if ready(checkpoints):
                break
            process.send_signal(signal.SIGCONT)
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert ready(checkpoints), "training ended or timed out before the checkpoints it waited for"
    assert not (checkpoints.parent / "metrics.json").exists(), "finished before the kill"
    return checkpoints.parent


def state_in(checkpoints, name="state.json"):
    """The state file `name` in `checkpoints` as JSON, or None while there is none."""
    try:
        return json.loads((checkpoints / name).read_text())
    except (OSError, ValueError):
        return None


def two_checkpoints(checkpoints):
    """The newest checkpoint and a different one before it (while a third is written, both name the second)."""
    newest, previous = state_in(checkpoints), state_in(checkpoints, "state.previous.json")
    return newest is not None and previous is not None and newest["files"] != previous["files"]


def epochs_in_history(run):
    with open(run / "history.csv", newline="") as handle:
        return [int(row["epoch"]) for row in csv.DictReader(handle)]


def total_epochs(project):
    return int(next(o for o in project.spec["resume_overrides"] if o.startswith("train.epochs=")).split("=")[1])


@pytest.fixture(scope="module")
def killed(project):
    """`copy(name)`: a run folder, renamed, of the one run per project killed after its second checkpoint, while a
    third epoch trains. Each test that resumes or inspects a killed run takes its own copy: a run folder names no
    path of its own, so a copy is that run."""
    run = killed_run(project, "killed-original", two_checkpoints)

    def copy(name):
        return Path(shutil.copytree(run, run.parent / name))

    return copy


def test_killed_run_resumes_at_the_next_epoch(project, killed):
    run = killed("killed")
    done = json.loads((run / "checkpoints" / "state.json").read_text())["epochs_done"]
    result = project.run("train", *project.spec["resume_overrides"], "run.name=killed")
    assert f"resuming run runs/killed at epoch {done + 1}" in result.stdout
    assert epochs_in_history(run) == list(range(total_epochs(project)))
    assert (run / "metrics.json").is_file()
    assert not list(run.rglob(".tmp-*")), "a killed write's temporary file is still there"


def test_a_damaged_checkpoint_is_named_and_the_run_resumes_from_the_one_before(project, killed):
    run = killed("damaged")
    state = json.loads((run / "checkpoints" / "state.json").read_text())
    damaged = run / "checkpoints" / next(iter(state["files"]))  # the weights, or the DQN agent
    damaged.write_bytes(damaged.read_bytes()[: damaged.stat().st_size // 2])
    result = project.run("train", *project.spec["resume_overrides"], "run.name=damaged")
    assert f"resuming run runs/damaged at epoch {state['epochs_done']}" in result.stdout
    (line,) = [line for line in result.stderr.splitlines() if damaged.name in line]
    assert line.startswith(f"warning: checkpoint file {damaged.relative_to(project.path)} is damaged"), line
    assert epochs_in_history(run) == list(range(total_epochs(project)))


def files_of(run):
    return {path: path.read_bytes() for path in run.rglob("*") if path.is_file() and ".tmp-" not in path.name}


def unchanged(before, run):
    """Every file `before` held is still there, byte for byte (a failed command may add none of its own but logs)."""
    after = files_of(run)
    return [str(path) for path, data in before.items() if after.get(path) != data]


def test_failures_on_a_killed_run_are_one_line_each_and_keep_its_files(project, killed):
    run = killed("unfinished")
    before = files_of(run)
    for verb, *args in (["evaluate"], ["predict", *project.spec["predict_inputs"]], ["export"]):
        assert_one_clear_line(project.run(verb, str(run), *args, check=False), "has no model.keras")
    changed = project.spec["changed_model"]
    result = project.run("train", *project.spec["resume_overrides"], changed, "run.name=unfinished", check=False)
    assert_one_clear_line(result, changed.split("=")[0])
    assert unchanged(before, run) == []

    for name in ("state.json", "state.previous.json"):
        if (run / "checkpoints" / name).is_file():
            (run / "checkpoints" / name).write_text("{")
    before = files_of(run)
    result = project.run("train", *project.spec["resume_overrides"], "run.name=unfinished", check=False)
    assert_one_clear_line(result, "cannot resume")
    assert unchanged(before, run) == []


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
