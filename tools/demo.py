"""`make demo`: bakes a template into a temporary folder, trains it on its sample data, prints its metrics.

python tools/demo.py image-classification
python tools/demo.py text-transformers-gpt   # a variant (conformance.yaml `variants`), baked with its answers
python tools/demo.py object-detection-faster_rcnn   # a config choice (conformance.yaml `demos`), the same bake
"""

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from cookiecutter.main import cookiecutter

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def main(case):
    template, context, demo = demo_of(case)
    output = Path(tempfile.mkdtemp(prefix=f"demo-{case}-"))
    project = Path(
        cookiecutter(
            str(ROOT), directory=f"templates/{template}", no_input=True, output_dir=str(output), extra_context=context
        )
    )
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(project)], check=True)
    script = str(BIN / project.name)
    print(f"baked {project}")
    started = time.perf_counter()
    subprocess.run([script, "sample-data"], cwd=project, check=True)
    subprocess.run([script, "train", *demo["overrides"], "run.name=demo"], cwd=project, check=True)
    seconds = time.perf_counter() - started
    run = project / "runs" / "demo"
    metrics = json.loads((run / "metrics.json").read_text())
    targets = demo.get("targets") or {demo["metric"]: demo["target"]}
    for metric, target in targets.items():
        print(f"{case}: {metric} {metrics[metric]:.3f} (target {target})")
    print(f"in {seconds:.0f} s, sample data to metrics")
    print(f"TensorBoard logs: {run / 'logs'}\n  view them with: {BIN / 'tensorboard'} --logdir {project / 'runs'}")
    return 0 if all(metrics[metric] >= target for metric, target in targets.items()) else 1


def demo_of(case):
    """`(template, bake answers, demo spec)` of a template's name, or of `<template>-<variant>`, or of
    `<template>-<demo>`: one of its `demos`, other overrides of the same bake."""
    for template in sorted(path.name for path in (ROOT / "templates").iterdir()):
        spec_file = ROOT / "templates" / template / "conformance.yaml"
        if not spec_file.is_file() or not case.startswith(template):
            continue
        spec = yaml.safe_load(spec_file.read_text())
        if case == template:
            return template, {}, spec["demo"]
        name = case.removeprefix(f"{template}-")
        variant = spec.get("variants", {}).get(name)
        if variant:
            return template, variant.get("context", {}), variant.get("spec", {}).get("demo", spec["demo"])
        if name in spec.get("demos", {}):
            return template, {}, spec["demos"][name]
    sys.exit(f"error: no template, variant or demo named {case}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "image-classification"))
