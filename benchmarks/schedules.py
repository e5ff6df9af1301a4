"""Learning-rate schedules against a constant rate: the validation metric epoch by epoch.

Bakes the seq2seq and image-classification templates of this checkout and trains each model with
`train.schedule: constant` and with `cosine` (a warm-up epoch, then cosine decay to 0), one after the other, with
the same seed: seq2seq on its sample dates and on generated long-tailed text (word sequences of lognormal length,
a 200-word vocabulary, the target the source's words reversed: harder than the dates, which every variant
masters), the classifier on its sample pictures. It prints, per variant, the validation metric after each epoch,
the held-out metrics at the end and the wall-clock; the templates' defaults follow from it.

    .venv/bin/python benchmarks/schedules.py [--seq2seq-epochs 4] [--classifier-epochs 15] [--only reversal]
"""

import argparse
import csv
import json
import subprocess
import sys
import time

import baked
import numpy as np

VARIANTS = {
    "constant": ["train.schedule=constant", "train.warmup_epochs=0"],
    "cosine": ["train.schedule=cosine", "train.warmup_epochs=1"],
}


def train(project, package, env, name, overrides):
    """Trains run `name` in `project`; returns (validation metric per epoch, final metrics, seconds)."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", package, "train", *overrides, f"run.name={name}", "train.progress=epochs"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if result.returncode:
        sys.exit(result.stderr[-3000:])
    run = project / "runs" / name
    with open(run / "history.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return rows, json.loads((run / "metrics.json").read_text()), seconds


def write_reversal_pairs(folder, pairs=4000, held_out=500):
    """Long-tailed word sequences and their reversal, as TSV files `train.tsv` and `test.tsv` in `folder`."""
    rng = np.random.default_rng(0)
    words = [f"w{index}" for index in range(200)]
    counts = np.clip(rng.lognormal(1.8, 0.6, pairs + held_out).round(), 1, 60).astype(int)
    lines = []
    for count in counts:
        sentence = [words[index] for index in rng.integers(0, len(words), count)]
        lines.append(f"{' '.join(sentence)}\t{' '.join(reversed(sentence))}\n")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train.tsv").write_text("".join(lines[:pairs]))
    (folder / "test.tsv").write_text("".join(lines[pairs:]))


def compare(template, package, monitor, cases):
    project = baked.bake(template)
    env = baked.imported_from_src(project)
    subprocess.run([sys.executable, "-m", package, "sample-data"], cwd=project, env=env, check=True)
    if template == "seq2seq":
        write_reversal_pairs(project / "data" / "reversal")
    for case, overrides in cases.items():
        for variant, schedule in VARIANTS.items():
            rows, metrics, seconds = train(project, package, env, f"{case}-{variant}", [*overrides, *schedule])
            curve = " ".join(f"{float(row[f'val_{monitor}']):.3f}" for row in rows)
            shown = (monitor, "chrf", "exact_match", "macro_f1")
            held_out = ", ".join(f"{key} {value:.3f}" for key, value in metrics.items() if key in shown)
            print(
                f"{template} {case} {variant}: val_{monitor} by epoch {curve} | held-out {held_out} | {seconds:.0f} s"
            )
            sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seq2seq-epochs", type=int, default=4)
    parser.add_argument("--classifier-epochs", type=int, default=15)
    parser.add_argument("--only", help="run only the cases whose name holds this")
    args = parser.parse_args()
    epochs = f"train.epochs={args.seq2seq_epochs}"
    reversal = [
        "data.train_file=data/reversal/train.tsv",
        "data.test_file=data/reversal/test.tsv",
        "tokenizer.source.kind=word",
        "tokenizer.target.kind=word",
        epochs,
    ]
    cases = {
        "dates-transformer": ["model.architecture=transformer", epochs],
        "dates-recurrent": [epochs],
        "reversal-transformer": ["model.architecture=transformer", *reversal],
        "reversal-recurrent": reversal,
    }
    chosen = {name: case for name, case in cases.items() if args.only is None or args.only in name}
    if chosen:
        compare("seq2seq", "translator", "bleu", chosen)
    if args.only is None or args.only in "small_cnn":
        classifier = {"small_cnn": [f"train.epochs={args.classifier_epochs}"]}
        compare("image-classification", "image_classifier", "accuracy", classifier)


if __name__ == "__main__":
    main()
