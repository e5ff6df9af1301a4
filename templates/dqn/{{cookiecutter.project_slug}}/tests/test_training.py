import csv
import json

import numpy as np
import pytest
import tensorflow as tf

from {{ cookiecutter.package_name }} import resume
from {{ cookiecutter.package_name }}.callbacks.tensorboard import summary_tags
from {{ cookiecutter.package_name }}.config import load
from {{ cookiecutter.package_name }}.epochs import should_stop
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.predict import predict
from {{ cookiecutter.package_name }}.runtime import training
from {{ cookiecutter.package_name }}.runtime.errors import UserError
from {{ cookiecutter.package_name }}.runtime.rundir import Run
from {{ cookiecutter.package_name }}.task import DeepQLearning


def train(config):
    return training.train(DeepQLearning(), config)


def history(run):
    with open(run.history, newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_run_killed_after_its_first_checkpoint_goes_on_at_the_next_epoch(tiny, monkeypatch, capsys):
    real_save = resume.save

    def save_then_die(directory, progress, *args):
        real_save(directory, progress, *args)
        raise SystemExit("killed")  # as a kill would, right after the checkpoint of epoch 1 landed

    monkeypatch.setattr(resume, "save", save_then_die)
    with pytest.raises(SystemExit):
        train(load("configs/default.yaml", [*tiny, "run.name=killed"]))
    monkeypatch.setattr(resume, "save", real_save)
    run = Run(load("configs/default.yaml", tiny).run.dir + "/killed")
    state = json.loads((run.checkpoints / "state.json").read_text())
    assert state["epochs_done"] == 1 and state["progress"]["env_steps"] == 300
    assert len(list(run.checkpoints.glob("replay-*.npz"))) == 1

    capsys.readouterr()
    _, metrics = train(load("configs/default.yaml", [*tiny, "run.name=killed"]))
    printed = capsys.readouterr().out  # as a pipe gets it: the epoch's and the evaluation's progress in plain lines
    assert f"resuming run {run.path} at epoch 2" in printed
    assert "300/300 - " in printed and "3/3 - " in printed
    assert not {"\b", "\r", "\x1b"} & set(printed)  # no bar redrawn
    rows = history(run)
    assert [int(row["epoch"]) for row in rows] == [0, 1]
    assert [int(row["env_steps"]) for row in rows] == [300, 600]  # the counters went on, not restarted
    assert metrics["episodes"] == 3 and 8 <= metrics["mean_return"] <= 500
    assert json.loads(run.metrics.read_text()) == metrics
    for name in ("model.keras", "returns.png", "evaluation.csv", "episodes/episode_0.gif"):
        assert run.file(name).is_file(), name
    tags = {tag for tag, _ in summary_tags(run.logs)}
    assert {
        "episode/return",
        "episode/length",
        "train/loss",
        "train/mean_q",
        "train/epsilon",
        "eval/mean_return",
        "eval/probe_max_q",
        "train/steps_per_second",
        "returns",
        "episode/frames",
        "final/mean_return",
    } <= tags


@pytest.mark.parametrize("kind", ["agent", "replay"])
def test_a_damaged_checkpoint_file_is_named_and_the_run_resumes_from_the_one_before(tiny, monkeypatch, capsys, kind):
    real_save = resume.save

    def save_then_die(directory, progress, *args):
        real_save(directory, progress, *args)
        if progress.epochs_done == 2:
            raise SystemExit("killed")

    monkeypatch.setattr(resume, "save", save_then_die)
    overrides = [*tiny, "train.epochs=3", "run.name=damaged"]
    with pytest.raises(SystemExit):
        train(load("configs/default.yaml", overrides))
    monkeypatch.setattr(resume, "save", real_save)
    run = Run(load("configs/default.yaml", tiny).run.dir + "/damaged")
    damaged = run.checkpoints / json.loads((run.checkpoints / "state.json").read_text())[kind]
    damaged.write_bytes(damaged.read_bytes()[:-100])  # the end of a file the disk lost

    capsys.readouterr()
    train(load("configs/default.yaml", overrides))
    out, err = capsys.readouterr()
    assert f"resuming run {run.path} at epoch 2" in out
    (warning,) = [line for line in err.splitlines() if line.startswith("warning:")]
    assert f"checkpoint file {damaged} is damaged" in warning
    assert [int(row["epoch"]) for row in history(run)] == [0, 1, 2]


@pytest.mark.parametrize(
    ("knob", "returns", "stops"),
    [
        ("train.min_delta=0.0", [100.0, 103.0, 104.0, 105.0], False),
        ("train.min_delta=5.0", [100.0, 103.0, 104.0, 105.0], True),  # gains of 1 count for nothing
        ("train.early_stopping_start=0", [20.0, 10.0, 11.0, 12.0], True),
        ("train.early_stopping_start=2", [20.0, 10.0, 11.0, 12.0], False),  # 20 and 10 left out: 11, then 12
    ],
)
def test_early_stopping_counts_gains_above_min_delta_after_the_epochs_it_leaves_out(capsys, knob, returns, stops):
    train_config = load("configs/default.yaml", ["train.early_stopping_patience=3", knob]).train
    progress = type("Progress", (), {"evaluation_returns": returns, "env_steps": 4000})
    assert should_stop({"eval_return": returns[-1]}, progress, train_config, solved=None) == stops
    assert ("no better greedy return for 3 epochs" in capsys.readouterr().out) == stops


@pytest.mark.parametrize(
    "override, message",
    [
        ("env.id=cartpole-v1", "did you mean CartPole-v1"),
        ("evaluate.probe_states=missing.npy", "missing.npy not found"),
    ],
)
def test_a_wrong_environment_or_probe_file_is_refused_before_a_run_folder_exists(tiny, tmp_path, override, message):
    with pytest.raises(UserError, match=message):
        train(load("configs/default.yaml", [*tiny, override]))
    assert not (tmp_path / "runs").exists()


def test_the_switches_train_together_on_parallel_environments(tiny):
{%- if cookiecutter.engine == "tf-agents" %}
    """Three environments, 3-step returns, Polyak targets, plain max targets: one epoch."""
    overrides = [
        *tiny,
        "train.epochs=1",
        "env.num_envs=3",
        "agent.n_step=3",
        "agent.target_update=polyak",
        "agent.double=false",
        "run.name=switches",
    ]
{%- else %}
    """Three environments, 3-step returns, a dueling head, Polyak targets, plain max targets: one epoch."""
    overrides = [
        *tiny,
        "train.epochs=1",
        "env.num_envs=3",
        "agent.n_step=3",
        "network.dueling=true",
        "agent.target_update=polyak",
        "agent.double=false",
        "run.name=switches",
    ]
{%- endif %}
    run, metrics = train(load("configs/default.yaml", overrides))
    (row,) = history(run)
    assert int(row["env_steps"]) == 300 and np.isfinite(float(row["loss"]))
    with np.load(next(run.checkpoints.glob("replay-*.npz"))) as replay:
        discounts = replay["discounts"]
    # gamma^3 after 3 steps; gamma or gamma^2 where a time limit cut an episode sooner; 0 where the pole fell
    allowed = np.isclose(discounts[:, None], [0.0, 0.99, 0.99**2, 0.99**3], atol=1e-6)
    assert allowed.any(axis=1).all() and allowed[:, 3].any() and allowed[:, 0].any()


{% if cookiecutter.engine == "tf-agents" -%}
@pytest.mark.parametrize(
    "override, key", [("network.dueling=true", "network.dueling"), ("train.precision=mixed_float16", "train.precision")]
)
def test_what_tf_agents_cannot_do_is_refused_before_a_run_folder_exists(tiny, tmp_path, override, key):
    with pytest.raises(UserError, match=key):
        load("configs/default.yaml", [*tiny, override])
    assert not (tmp_path / "runs").exists()


{% endif -%}
def test_the_exported_network_acts_as_predict_said(tiny, sample_dir, tmp_path):
    config = load("configs/default.yaml", [*tiny, "train.epochs=1", "run.name=served"])
    run, _ = train(config)
    files = sorted(str(path) for path in (sample_dir / "observations").glob("*.npy"))
    predict(config, run, [*files, "3"], tmp_path / "predictions")
    with open(tmp_path / "predictions" / "predictions.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["input"] for row in rows] == files
    q_values = np.array([[float(row["q_0"]), float(row["q_1"])] for row in rows])
    assert [int(row["action"]) for row in rows] == list(q_values.argmax(axis=1))
    assert (tmp_path / "predictions" / "episode_seed_3.gif").is_file()

    export(config, run, ["keras", "tf_saved_model"])
    agent = tf.saved_model.load(str(run.file("export/saved_model")))
    served = agent.serve(tf.constant(np.stack([np.load(name) for name in files])))
    assert served["action"].numpy().tolist() == [int(row["action"]) for row in rows]
    np.testing.assert_allclose(served["q_values"].numpy(), q_values, atol=1e-5)
    labels = json.loads(run.file("export/labels.json").read_text())
    assert labels == {"env_id": "CartPole-v1", "observation_shape": [4], "observation_dtype": "float32", "actions": 2}


def test_atari_frames_train_the_cnn_and_stay_uint8_in_the_replay(tmp_path):
    overrides = [
        "env.id=ALE/Pong-v5",
        "env.max_episode_steps=400",
        "agent.buffer_size=1000",  # 400 frames: 100 steps
        "agent.learning_starts=64",
        "agent.batch_size=8",
        "agent.train_frequency=32",
        "agent.gradient_steps=2",
        "train.steps_per_epoch=128",
        "train.epochs=1",
        "train.eval_episodes=1",
        "train.jit_compile=false",
        "evaluate.episodes=1",
        "evaluate.probe_states=",
        f"run.dir={tmp_path}",
        "run.name=pong",
    ]
    run, metrics = train(load("configs/default.yaml", overrides))
    with np.load(next(run.checkpoints.glob("replay-*.npz"))) as replay:
        assert replay["observations"].dtype == np.uint8 and replay["observations"].shape[1:] == (4, 84, 84)
        assert len(replay["observations"]) == 127  # 128 steps, less gymnasium's autoreset step after episode 1
    assert -21 <= metrics["mean_return"] <= 21 and metrics["mean_length"] == 100
    assert run.file("episodes/episode_0.gif").is_file()
