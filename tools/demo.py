"""`make demo`: bakes a template into a temporary folder, trains it on its sample data, prints the metric.

python tools/demo.py image-classification
"""

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cookiecutter.main import cookiecutter

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def main(template):
    demo = yaml_demo(template)
    output = Path(tempfile.mkdtemp(prefix=f"demo-{template}-"))
    project = Path(cookiecutter(str(ROOT), directory=f"templates/{template}", no_input=True, output_dir=str(output)))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(project)], check=True)
    script = str(BIN / project.name)
    print(f"baked {project}")
    started = time.perf_counter()
    subprocess.run([script, "sample-data"], cwd=project, check=True)
    subprocess.run([script, "train", *demo["overrides"], "run.name=demo"], cwd=project, check=True)
    seconds = time.perf_counter() - started
    run = project / "runs" / "demo"
    metrics = json.loads((run / "metrics.json").read_text())
    metric, target = demo["metric"], demo["target"]
    print(f"\n{template}: {metric} {metrics[metric]:.3f} (target {target}) in {seconds:.0f} s, sample data to metric")
    print(f"TensorBoard logs: {run / 'logs'}\n  view them with: {BIN / 'tensorboard'} --logdir {project / 'runs'}")
    return 0 if metrics[metric] >= target else 1


def yaml_demo(template):
    import yaml

    return yaml.safe_load((ROOT / "templates" / template / "conformance.yaml").read_text())["demo"]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "image-classification"))
