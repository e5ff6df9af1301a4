"""What the trained network does: Q-values and the greedy action for saved observations, and whole greedy
episodes to watch.

Each input is either a `.npy` file (one observation, or a batch of them, as `numpy.save` writes them) or a
whole number, the seed of an episode to play and record as a GIF:

    predict runs/demo data/sample/observations/observation_0.npy 7 8

writes `predictions.csv` (input, action, value = max Q, one Q column per action) for the files and
`episodes.csv` (seed, return, length, gif) for the seeds, and prints both.
"""

import csv
import sys

import keras

from . import data, play
from .episodes import write_gif
from .model import load_run_network
from .runtime.files import atomic_path


def write_table(path, header, rows):
    with atomic_path(path) as temporary, open(temporary, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def observation_rows(network, files, spec):
    rows = []
    for name in files:
        states = data.read_states(name, spec, "input")
        q_values = keras.ops.convert_to_numpy(network(states, training=False))
        single = len(states) == 1 and states.shape[1:] == spec.observation_shape
        for index, q in enumerate(q_values):
            label = name if single else f"{name}[{index}]"
            rows.append([label, int(q.argmax()), f"{q.max():.6f}", *(f"{value:.6f}" for value in q)])
    return rows


def episode_rows(network, seeds, config, spec, output):
    act = play.policy(network, spec.action_count, config.evaluate.epsilon, seed=config.train.seed)
    rows = []
    for seed in seeds:
        frames, total, length = play.record_episode(act, config.env, seed)
        gif = output / f"episode_seed_{seed}.gif"
        write_gif(frames, gif, fps=config.evaluate.fps)
        rows.append([seed, f"{total:g}", length, gif.name])
    return rows


def predict(config, run, inputs, output):
    """Writes the tables for `inputs` (`.npy` files and seeds) into the folder `output` and prints them; returns
    the tables written."""
    spec = data.env_spec(config.env)
    seeds = [int(item) for item in inputs if item.isdigit()]
    files = [item for item in inputs if not item.isdigit()]
    network = load_run_network(run)
    output.mkdir(parents=True, exist_ok=True)
    tables = []
    if files:
        rows = observation_rows(network, files, spec)
        header = ["input", "action", "value", *(f"q_{action}" for action in range(spec.action_count))]
        write_table(output / "predictions.csv", header, rows)
        print("\t".join(header))
        for row in rows:
            print("\t".join(map(str, row)))
        print(f"wrote {output / 'predictions.csv'}", file=sys.stderr)
        tables.append(output / "predictions.csv")
    if seeds:
        rows = episode_rows(network, seeds, config, spec, output)
        write_table(output / "episodes.csv", ["seed", "return", "length", "gif"], rows)
        for seed, total, length, gif in rows:
            print(f"episode seed {seed}: return {total} in {length} steps -> {output / gif}")
        tables.append(output / "episodes.csv")
    return tables
