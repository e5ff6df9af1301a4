"""Training, read top to bottom: batches and anchors, model, phases of `fit` with mAP every epoch, final scores.

With a pretrained backbone the run has two phases: phase 1 trains the pyramid and heads on the frozen backbone,
phase 2 unfreezes the backbone's top layers at a lower learning rate. The small CNN trains in one phase. The run
folder, resuming and `metrics.json` are the shared runner's (`runtime/training.py`).
"""

import numpy as np

from . import data, scoring
from .box_pictures import BoxPreview
from .inference import Detector, paste_mask, per_image, per_image_masks
from .losses import BoxLoss, FocalLoss
from .masks import instance_map
from .model import build_model, set_trainable
from .runtime import fitting, sizing
from .runtime.optimizers import make_optimizer
from .runtime.phases import plan_phases

PREVIEW = 8  # validation pictures drawn after each epoch


def compile_for(model, phase, config, jit_compile):
    set_trainable(model, phase.name, config.train.unfreeze_top)
    optimizer = make_optimizer(config.train.optimizer, phase.learning_rate)
    if config.model.architecture == "faster_rcnn":  # its training step computes its own four losses
        model.compile(optimizer=optimizer, jit_compile=jit_compile)
        return
    model.compile(
        optimizer=optimizer,
        loss={
            "boxes": BoxLoss(config.loss.huber_delta),
            "classes": FocalLoss(config.loss.focal_alpha, config.loss.focal_gamma),
        },
        loss_weights={"boxes": config.loss.box_weight, "classes": 1.0},
        jit_compile=jit_compile,
    )


def box_preview(config, splits, anchors, session):
    """The first validation pictures with their true and detected boxes, after every epoch."""
    shown = splits.val[:PREVIEW]
    size = config.data.image_size
    images = np.uint8(np.concatenate([batch.numpy() for batch in data.pictures(shown, size, PREVIEW)]))
    true_boxes = [image.boxes * data.letterbox_scale(image, size) for image in shown]
    true_masks = None
    if config.model.masks:
        maps = [instance_map(image.masks, size, data.letterbox_scale(image, size)) for image in shown]
        true_masks = [
            [numbers == k + 1 for k in range(len(image.labels))] for numbers, image in zip(maps, shown, strict=True)
        ]

    def detect(model, pictures):
        found = Detector(model, anchors, config.detect)(pictures.astype(np.float32), config.detect.draw_threshold)
        if "masks" not in found:
            return per_image(found), None
        masks = [
            [paste_mask(grid, box, size, size) for grid, box in zip(grids, boxes, strict=True)]
            for grids, (boxes, _, _) in zip(per_image_masks(found), per_image(found), strict=True)
        ]
        return per_image(found), masks

    return BoxPreview(
        images,
        true_boxes,
        [image.labels for image in shown],
        detect,
        splits.classes,
        session.run.logs,
        session.run.file("val_predictions.png"),
        true_masks,
    )


def train(task, config, splits, session):
    batches = data.training_batches(config, splits)
    size = config.data.image_size
    momentum = sizing.configured_batchnorm_momentum(
        config.model.batchnorm_momentum, len(splits.train), config.data.batch_size
    )
    with session.setup.scope():
        model = build_model(config, splits.classes, size, momentum)
    session.announce(
        f"{len(splits.train)} training / {len(splits.val)} validation pictures, {len(splits.classes)} classes, "
        f"{size}x{size} px, {len(batches.anchors)} anchors, {config.model.backbone}, {session.setup.precision}, "
        f"{session.setup.replicas} replica(s)"
    )
    callbacks = [
        scoring.MeanAveragePrecision(config, batches.anchors, splits.train, splits.val),
        box_preview(config, splits, batches.anchors, session),
    ]
    final = fitting.fit(
        session, task, config, model, batches, plan_phases(config.train, config.pretrained), callbacks=callbacks
    )
    metrics, _ = scoring.Scorer(splits.val, config, batches.anchors)(final)
    scoring.print_scores(metrics, splits.classes)
    print(f"finished run {session.run.path}: val mAP {metrics['map']:.3f}, mAP@.5 {metrics['map_50']:.3f}", flush=True)
    return metrics
