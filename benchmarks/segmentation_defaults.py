"""Segmentation's defaults sized from the data against the defaults before them: time to a mean IoU.

Bakes the template and generates data of the kind that stopped today's defaults while still learning: scenes of
eleven shape classes (`datasets.shapes`), small objects (about 90 % of the pixels are background) on textured
backgrounds, pictures of mixed sizes. Then, in one process, trains the U-Net from scratch on it with

- today's defaults: input at the pictures' median size, 30 epochs at a constant learning rate, no early stopping;
- the new defaults: `data.image_size: auto` from the objects' size, `train.epochs` a ceiling with early stopping
  on validation mean IoU, the config's learning-rate schedule;
- with `--extra KEY=VALUE ...`, also the new defaults with those overrides (e.g. `train.schedule=plateau`).

Each variant gets the same budget of training time: a run still going when it is spent stops there, as a user
who waits that long would see it. After every epoch the model is scored on the validation pictures at their own
size (the clock stops meanwhile), which gives the time to the target mean IoU; the final mean IoU is the run's own
(its best checkpoint, scored at the pictures' size). The variants run one after the other on a shared machine:
compare them within one run, and by epochs as well as seconds (the per-epoch curves are printed), since the
load can change between them. Prints Markdown for RESULTS.md.

    .venv/bin/python benchmarks/segmentation_defaults.py [--budget 240] [--targets 0.15 0.3] [--extra KEY=VALUE ...]
"""

import argparse
import json
import subprocess
import sys

import baked

MEASURE = """
import json, sys, time
from image_segmenter.runtime.quiet import import_tensorflow
import_tensorflow()
import keras
import numpy as np
from PIL import Image
from image_segmenter import data, scoring
from image_segmenter.config import load
from image_segmenter.datasets.shapes import MORE_SHAPES, SHAPES
from image_segmenter.runtime import fitting, sizing, training
from image_segmenter.scenes import write_scene_folders
from image_segmenter.task import Segmentation

budget, variants = float(sys.argv[1]), json.loads(sys.argv[2])
classes = ("background", *(SHAPES + MORE_SHAPES)[:11])
write_scene_folders("data/scenes", count=200, size=[96, 128, 160, 192, 224], seed=0, classes=classes,
                    radius_range=(0.12, 0.2), max_shapes=3)
scenes = ["data.images_dir=data/scenes/images", "data.masks_dir=data/scenes/masks", "train.progress=epochs"]
splits = data.read_splits(load("configs/default.yaml", scenes).data, seed=42)
sides = []
for path in splits.train_images[:200]:  # today's auto: the median picture size, rounded to 32
    with Image.open(path) as picture:
        sides.append(np.sqrt(picture.size[0] * picture.size[1]))
median_side = sizing.image_side(np.median(sides), np.median(sides), multiple=32, smallest=32, largest=512)
pixels = splits.train_pixels.sum(axis=0)


class Clock(keras.callbacks.Callback):
    # Training time, the validation mean IoU at the pictures' own size after each epoch, and the budget's stop.
    def __init__(self, config, splits):
        super().__init__()
        self.config, self.splits, self.seconds, self.curve = config, splits, 0.0, []

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds += time.perf_counter() - self.started
        metrics, _ = scoring.score(self.model, self.splits.val_images, self.splits.val_masks, self.config)
        self.curve.append((round(self.seconds, 1), round(metrics["mean_iou"], 4)))
        self.model.stop_training = self.model.stop_training or self.seconds >= budget


results = []
fit = fitting.fit
for name, overrides in variants:
    overrides = [override.replace("MEDIAN", str(median_side)) for override in overrides]
    config = load("configs/default.yaml", [*scenes, f"run.name={len(results)}", *overrides])
    clock = Clock(config, data.read_splits(config.data, config.train.seed))
    fitting.fit = lambda *args, callbacks=(), **kwargs: fit(*args, callbacks=[*callbacks, clock], **kwargs)
    run, metrics = training.train(Segmentation(), config)
    size = keras.saving.load_model(run.file("model.keras"), compile=False).get_layer("resize").height
    results.append({"name": name, "overrides": overrides, "image_size": size, "epochs": config.train.epochs,
                    "schedule": config.train.schedule, "patience": config.train.early_stopping_patience,
                    "curve": clock.curve, "mean_iou": metrics["mean_iou"]})
print(json.dumps({"train_images": len(splits.train_images), "val_images": len(splits.val_images),
                  "background": float(pixels[0] / pixels.sum()), "median_side": median_side, "results": results}))
"""

TODAY = [
    "data.image_size=MEDIAN",  # the measuring script puts in today's auto size
    "train.epochs=30",
    "train.early_stopping_patience=0",
    "train.schedule=constant",
]


def time_to(curve, target):
    """The training seconds and epoch at which `curve` [(seconds, mean IoU), ...] first reaches `target`."""
    return next(((seconds, epoch) for epoch, (seconds, iou) in enumerate(curve, 1) if iou >= target), None)


def reached_text(curve, baseline, target):
    """When `curve` reached `target`, and how much sooner than `baseline` (another curve, or None)."""
    reached = time_to(curve, target)
    if reached is None:
        return "not reached"
    before = baseline and time_to(baseline, target)
    return f"{reached[0]:.0f} s (epoch {reached[1]})" + (f", {before[0] / reached[0]:.2f}x sooner" if before else "")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=240, help="seconds of training each variant may take")
    parser.add_argument(
        "--targets", type=float, nargs="+", default=[0.15, 0.3], help="the mean IoUs (pictures' own size) to time"
    )
    parser.add_argument("--extra", nargs="*", default=[], help="a third variant: the new defaults with these")
    args = parser.parse_args()
    variants = [["today's defaults", TODAY], ["new defaults", []]]
    if args.extra:
        variants.append([f"new defaults, {' '.join(args.extra)}", args.extra])
    project = baked.bake("segmentation")
    env = baked.imported_from_src(project)
    info = subprocess.run(
        [sys.executable, "-m", "image_segmenter", "info"], cwd=project, env=env, capture_output=True, text=True
    ).stdout
    measured = baked.measure(project, MEASURE, args.budget, json.dumps(variants), env=env)
    precision = next((line.split(":", 1)[1].strip() for line in info.splitlines() if "precision" in line), "?")
    print(
        f"{measured['train_images']} training / {measured['val_images']} validation scenes, 11 shape classes, "
        f"{100 * measured['background']:.1f} % background pixels, median side {measured['median_side']} px; "
        f"budget {args.budget:.0f} s of training per variant; precision: {precision}\n"
    )
    print(
        "| variant | input px | epochs (ceiling) | schedule | early stopping | epochs run | training s | "
        + "".join(f"to mean IoU {target} | " for target in args.targets)
        + "final mean IoU |"
    )
    print("|---" * (7 + len(args.targets)) + "|---|")
    today = measured["results"][0]["curve"]
    for index, result in enumerate(measured["results"]):
        curve = result["curve"]
        print(
            f"| {result['name']} | {result['image_size']} | {result['epochs']} | {result['schedule']} | "
            f"{result['patience'] or 'off'} | {len(curve)} | {curve[-1][0]:.0f} | "
            + "".join(f"{reached_text(curve, today if index else None, target)} | " for target in args.targets)
            + f"{result['mean_iou']:.3f} |"
        )
    for result in measured["results"]:
        print(f"\n{result['name']}, (training s, val mean IoU) per epoch: {curve_text(result['curve'])}")


def curve_text(curve):
    return " ".join(f"({seconds:.0f}, {iou:.3f})" for seconds, iou in curve)


if __name__ == "__main__":
    main()
