"""The object-detection template on this machine: time to quality of its demos, training and inference speed, for
each architecture (RetinaNet, one stage; Faster R-CNN, two; `mask_rcnn`: Faster R-CNN with its mask head).

Bakes the template and writes its sample data, then for each of `--architectures`

- trains its demo (the default config with `DEMOS`' overrides, as the README gives them) as a user runs it, the
  `train` command in a pipe, and stamps each epoch's line as it arrives: the seconds to each validation mAP@.5
  of `--targets`, and the run's final mAP, mAP@.5 and mAP@.75 (its best epoch, from metrics.json);
- times, in one process with the trained model, the training steps (pictures per second, the real tf.data
  pipeline) and the exported SavedModel's `serve` at batch 1 and 16 (milliseconds per picture, from encoded PNG
  bytes to boxes after NMS, as a server runs it), each the median of `--rounds` rounds after a warm-up.

Then the architectures side by side: the best validation mAP@.5 each had reached after the same seconds of training.
The machine is shared and noisy: read the speeds as of this run, and the two architectures as a ratio of one run.
Prints Markdown for RESULTS.md.

    .venv/bin/python benchmarks/object_detection.py [--architectures retinanet faster_rcnn] [--rounds 5]
"""

import argparse
import json
import subprocess
import sys

import baked
import yaml

MEASURE = """
import json, sys, time
from statistics import median
from object_detector.runtime.quiet import import_tensorflow
import_tensorflow()
import keras, tensorflow as tf
import object_detector.model  # noqa: F401 (registers the layers and the two-stage model for loading)
from object_detector import data, losses
from object_detector.config import load
from object_detector.runtime import device

run, rounds = sys.argv[1], int(sys.argv[2])
config = load(f"{run}/config.yaml")
device.setup(config.train.precision, config.train.jit_compile)
splits = data.read_splits(config)
batches = data.training_batches(config, splits).train
model = keras.saving.load_model(f"{run}/model.keras")  # compiled, as training left it
model.fit(batches, epochs=1, verbose=0)  # warm-up: tracing, the pipeline's cache
training = []
for _ in range(rounds):
    start = time.perf_counter()
    model.fit(batches, epochs=1, verbose=0)
    training.append(len(splits.train) / (time.perf_counter() - start))
served = tf.saved_model.load(f"{run}/export/saved_model")
files = [open(image.path, "rb").read() for image in splits.val]
latency = {}
for batch in (1, 16):
    inputs = tf.constant((files * 16)[:batch])
    served.serve(inputs)  # warm-up
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        served.serve(inputs)["count"].numpy()
        times.append((time.perf_counter() - start) / batch * 1000)
    latency[batch] = median(times)
print(json.dumps({"pictures_per_second": median(training), "ms_per_picture": latency}))
"""


SPEC = yaml.safe_load((baked.ROOT / "templates" / "object-detection" / "conformance.yaml").read_text())
# per architecture, its demo's overrides: RetinaNet's is the template's demo, the others its `demos`
DEMOS = {"retinanet": SPEC["demo"]["overrides"], **{name: demo["overrides"] for name, demo in SPEC["demos"].items()}}


def demo(project, env, architecture, args):
    """Trains, exports and times one architecture's demo; prints its section; returns its curve."""
    overrides = DEMOS[architecture]
    curve, _ = baked.stamped_training(project, [*overrides, f"run.name={architecture}"], "val_map_50")
    run = project / "runs" / architecture
    subprocess.run(
        [sys.executable, "-m", project.name, "export", str(run)], cwd=project, env=env, check=True, capture_output=True
    )
    speed = baked.measure(project, MEASURE, run, args.rounds, env=env)
    final = json.loads((run / "metrics.json").read_text())

    print(f"### {architecture}\n\nDemo ({' '.join(overrides)}): {len(curve)} epochs in {curve[-1][0]:.0f} s.\n")
    print("| validation mAP@.5 reached | epoch | seconds |")
    print("|---|---|---|")
    for target in args.targets:
        reached = next((index for index, (_, value) in enumerate(curve) if value >= target), None)
        cells = ("not reached", "") if reached is None else (reached + 1, f"{curve[reached][0]:.0f}")
        print(f"| {target} | {cells[0]} | {cells[1]} |")
    masks = f"; masks: mAP {final['mask_map']:.3f}, mAP@.5 {final['mask_map_50']:.3f}" if "mask_map" in final else ""
    boxes = f"mAP {final['map']:.3f}, mAP@.5 {final['map_50']:.3f}, mAP@.75 {final['map_75']:.3f}"
    print(f"\nBest epoch: {boxes}{masks}.\n")
    print("| measure | value |")
    print("|---|---|")
    print(f"| training, pictures per second (tf.data, augmented) | {speed['pictures_per_second']:.1f} |")
    for batch, milliseconds in speed["ms_per_picture"].items():
        measure = f"SavedModel `serve`, batch {batch}: ms per picture (PNG bytes to boxes after NMS)"
        print(f"| {measure} | {milliseconds:.1f} |")
    print(flush=True)
    return curve


def best_by(curve, seconds):
    """The best value of `curve` ([(seconds, value)]) reached within `seconds`, or None before its first epoch."""
    values = [value for stamp, value in curve if stamp <= seconds]
    return max(values) if values else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--architectures", nargs="+", choices=list(DEMOS), default=["retinanet", "faster_rcnn"])
    parser.add_argument("--targets", type=float, nargs="+", default=[0.5, 0.7])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    project = baked.bake("object-detection")
    env = baked.imported_from_src(project)
    subprocess.run([sys.executable, "-m", project.name, "sample-data"], cwd=project, env=env, check=True)
    curves = {architecture: demo(project, env, architecture, args) for architecture in args.architectures}
    if len(curves) > 1:
        shortest = min(curve[-1][0] for curve in curves.values())
        print("Best validation mAP@.5 reached within the same training time:\n")
        print(f"| seconds | {' | '.join(curves)} |")
        print(f"|---|{'---|' * len(curves)}")
        for seconds in [*range(60, int(shortest), 60), int(shortest)]:
            cells = [best_by(curve, seconds) for curve in curves.values()]
            print(f"| {seconds} | {' | '.join('-' if cell is None else f'{cell:.3f}' for cell in cells)} |")


if __name__ == "__main__":
    main()
