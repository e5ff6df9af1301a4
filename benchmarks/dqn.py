"""Time to solve CartPole-v1: the DQN template's default config, with the keras engine and with the tf-agents
engine, against stable-baselines3's DQN with RL Zoo's published hyperparameters, seed by seed, interleaved, on
this machine.

Bakes the template of the checkout this script lives in and trains it with `train.seed=S` (the default
config: RL Zoo's CartPole hyperparameters, one environment, a greedy evaluation of 20 episodes every
2000 steps, stopping when their mean reaches 475). The time to solve is the `seconds` column of the run's
history at the first solved epoch: playing, learning and evaluating, from the first step (TensorFlow's
start-up and the final 100-episode evaluation are outside it, as the start-up of PyTorch is for
stable-baselines3). With `--tf-agents`, the same seed through the project baked with `engine=tf-agents`,
installed with its own dependencies into a virtual environment of its own; with `--sb3-python`, through
`benchmarks/dqn_sb3.py`, which runs stable-baselines3 under the same protocol. Prints Markdown for RESULTS.md.

    .venv/bin/python benchmarks/dqn.py --seeds 5 --tf-agents --sb3-python /path/to/venv-with-sb3/bin/python
"""

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from statistics import median

from cookiecutter.main import cookiecutter

ROOT = Path(__file__).resolve().parent.parent
SOLVED = 475.0


def bake(folder, engine):
    """The project baked with `engine` and its console script: keras installed into this Python's environment
    (which has its dependencies), tf-agents into a new one with its own."""
    project = Path(
        cookiecutter(
            str(ROOT),
            directory="templates/dqn",
            no_input=True,
            output_dir=str(folder / engine),
            extra_context={"engine": engine},
        )
    )
    if engine == "keras":
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(project)], check=True)
        bin_dir = Path(sys.executable).parent
    else:
        venv = folder / f"venv-{engine}"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-e",
                str(project),
            ],
            check=True,
        )
        bin_dir = venv / "bin"
    script = str(bin_dir / project.name)
    subprocess.run([script, "sample-data"], cwd=project, check=True, capture_output=True)
    return project, script


def ours(project, script, seed):
    subprocess.run(
        [script, "train", f"train.seed={seed}", f"run.name=seed-{seed}"], cwd=project, check=True, capture_output=True
    )
    run = project / "runs" / f"seed-{seed}"
    with open(run / "history.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    solved = [row for row in rows if float(row["eval_return"]) >= SOLVED]
    metrics = json.loads((run / "metrics.json").read_text())
    return {
        "seed": seed,
        "solved": bool(solved),
        "env_steps": int(solved[0]["env_steps"]) if solved else None,
        "seconds": float(solved[0]["seconds"]) if solved else None,
        "best_return": max(float(row["eval_return"]) for row in rows),
        "held_out": metrics["mean_return"],
    }


def theirs(python, seed, threads):
    result = subprocess.run(
        [python, str(ROOT / "benchmarks" / "dqn_sb3.py"), str(seed), str(threads)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def summary(name, results):
    solved = [result for result in results if result["solved"]]
    seconds = [result["seconds"] for result in solved]
    steps = [result["env_steps"] for result in solved]
    cells = (
        (f"{median(seconds):.1f}", f"{min(seconds):.1f}-{max(seconds):.1f}", f"{median(steps):,.0f}")
        if solved
        else ("-", "-", "-")
    )
    return f"| {name} | {len(solved)}/{len(results)} | " + " | ".join(cells) + " |"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--tf-agents", action="store_true", help="also the project baked with engine=tf-agents")
    parser.add_argument("--sb3-python", help="a Python with stable-baselines3 installed")
    parser.add_argument("--sb3-threads", type=int, default=1, help="torch threads (default: 1)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-dqn-"))
    engines = ["keras", "tf-agents"] if args.tf_agents else ["keras"]
    projects = {f"template ({engine})": bake(folder, engine) for engine in engines}
    rows = {name: [] for name in projects} | ({"stable-baselines3": []} if args.sb3_python else {})
    for seed in range(args.seeds):
        for name, (project, script) in projects.items():
            rows[name].append(ours(project, script, seed))
            print(name, json.dumps(rows[name][-1]), file=sys.stderr, flush=True)
        if args.sb3_python:
            rows["stable-baselines3"].append(theirs(args.sb3_python, seed, args.sb3_threads))
            print(json.dumps(rows["stable-baselines3"][-1]), file=sys.stderr, flush=True)
    print(
        f"`.venv/bin/python benchmarks/dqn.py --seeds {args.seeds}{' --tf-agents' if args.tf_agents else ''}"
        f"{' --sb3-python <venv>/bin/python' if args.sb3_python else ''}`, {os.cpu_count()} cores, "
        f"{platform.processor() or platform.machine()}, no GPU\n"
    )
    print("| agent | seeds solved | median seconds to solve | range | median environment steps |")
    print("|---|---|---|---|---|")
    for name, results in rows.items():
        print(summary(name, results))
    print(
        "\n| seed | "
        + " | ".join(f"{name}: seconds, steps" for name in rows)
        + " | "
        + " | ".join(f"{name}: held-out mean return (100 episodes)" for name in projects)
        + " |"
    )
    print("|---|" + "---|" * (len(rows) + len(projects)))
    for seed in range(args.seeds):
        cells = [
            f"{results[seed]['seconds']}, {results[seed]['env_steps']}"
            if results[seed]["solved"]
            else f"not solved (best {results[seed]['best_return']:.0f})"
            for results in rows.values()
        ]
        cells += [f"{rows[name][seed]['held_out']:.1f}" for name in projects]
        print(f"| {seed} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
