"""Two processes on 127.0.0.1 training one model on the JAX backend: the several-hosts path (README, "Scaling out"),
tested on one CPU. Each process is a `train` command, as on two hosts."""

import csv
import json
import os
import re
import signal
import socket
import subprocess
import time


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(process_id, tiny_train, runs_dir, port, *overrides):
    """One process of two, training the run `pair`."""
    return subprocess.Popen(
        tiny_train(
            runs_dir,
            "pair",
            f"distribution.coordinator=127.0.0.1:{port}",
            "distribution.processes=2",
            f"distribution.process_id={process_id}",
            *overrides,
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # XLA without its backend optimisations: compiling is much of this test's time, which checks what trains
        env={**os.environ, "KERAS_BACKEND": "jax", "XLA_FLAGS": "--xla_backend_optimization_level=0"},
        start_new_session=True,  # its own process group: the supervisor and the training child, killed together
    )


def finish(process, timeout=600):
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def losses(run):
    with open(run / "history.csv", newline="") as handle:
        return {int(row["epoch"]): float(row["loss"]) for row in csv.DictReader(handle)}


def test_two_processes_train_one_model_survive_a_lost_one_and_resume_together(tiny_train, tmp_path):
    """Process 1 is killed after the first epoch's checkpoint: process 0 ends in one line; both started again resume
    from that checkpoint, and end with the same weights, having written one run folder with a falling loss."""
    port = free_port()
    settings = ["train.epochs=4", "distribution.heartbeat_seconds=5"]
    pair = [start(index, tiny_train, tmp_path, port, *settings) for index in (0, 1)]
    state = tmp_path / "pair" / "checkpoints" / "state.json"
    deadline = time.monotonic() + 300
    while not state.is_file() and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(pair[1].pid, signal.SIGKILL)  # as if its host went down
    stopped = time.monotonic()
    code, out, err = finish(pair[0], timeout=120)
    finish(pair[1])
    assert code == 1, out[-2000:] + err[-3000:]
    assert time.monotonic() - stopped < 60
    assert err.strip().splitlines()[-1].startswith("error: process 0 of 2: another process of the run stopped")
    assert "Traceback" not in err and "Check failure" not in err

    done = json.loads(state.read_text())["epochs_done"]
    port = free_port()
    pair = [start(index, tiny_train, tmp_path, port, *settings) for index in (0, 1)]
    digests = []
    for code, out, err in (finish(process) for process in pair):
        assert code == 0, out[-2000:] + err[-3000:]
        assert "resuming run " in out and f"at epoch {done + 1}: " in out
        digests.append(re.search(r"weights agree across 2 processes \(digest (\w+)\)", out).group(1))
    assert digests[0] == digests[1]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["pair"], "process 1 wrote beside process 0"
    run = tmp_path / "pair"
    assert (run / "model.keras").is_file() and (run / "metrics.json").is_file()
    curve = losses(run)
    assert sorted(curve) == list(range(4)) and curve[3] < curve[0]


def test_start_up_mistakes_end_in_one_line(tiny_train, tmp_path):
    port = free_port()
    out_of_range = finish(start(2, tiny_train, tmp_path, port))
    assert out_of_range[0] == 2
    assert "distribution.process_id is 2: expected 0 to 1" in out_of_range[2]

    alone = finish(start(1, tiny_train, tmp_path, port, "distribution.timeout_seconds=2"))
    assert alone[0] == 2
    assert alone[2].strip().splitlines() == [
        f"error: distribution.coordinator 127.0.0.1:{port} did not answer within 2 s (Connection refused): start "
        "process 0 there first, or correct the address"
    ]
