"""Faster R-CNN without TensorFlow: the networks `export --format onnx,litert` writes, chained by numpy.

The converters do not take TensorFlow's non-maximum suppression, so the export holds the networks around it, and
this module does between them what the Keras model does with TensorFlow ops (`proposals.propose`,
`two_stage.FasterRCNN.call`, `inference.Detector`):

    proposer   image (B, S, S, 3): float pixels 0-255, letterboxed to image_size
               -> rpn_scores (B, A, 1) objectness logits, rpn_boxes (B, A, 4) offsets from anchors.npy,
                  level<L> (B, S / 2**L, S / 2**L, C): the pyramid's maps, for the heads
    proposals  the `rpn.pre_nms` best-scored anchors decoded, clipped to the square, those under a pixel wide or
               high dropped, NMS at `rpn.nms_iou`, the `rpn.proposals` best kept
    roi_head   level<L>..., proposals (B, R, 4) xyxy
               -> class_logits (B, R, classes + 1), background first; box_offsets (B, R, classes, 4) per class
    detections each proposal decoded per class with its offsets, scored by the softmax without the background,
               clipped to the picture, per-class NMS at `detect.iou_threshold`, the best `detect.max_detections`
    mask_head  level<L>..., boxes (B, D, 4) -> mask_logits (B, D, M, M, classes)    (model.masks only)
               each detection's mask: the sigmoid of its class' logits on an M x M grid over its box

`labels.json` beside the files holds the settings; `anchors.npy` the anchors, in the order of the RPN's outputs.
Needs numpy and onnxruntime or ai-edge-litert (`pip install -e ".[export]"`):

    detector = TwoStageDetector("runs/<run>/export", runtime="onnx")   # or "litert": the .tflite files
    found = detector(pixels)   # per picture {"boxes": (n, 4) xyxy in the letterboxed pixels, "scores", "classes"}
    boxes = found[0]["boxes"] / scale                                   # in the picture's own pixels
"""

import json
from pathlib import Path

import numpy as np

from .runtime.exports import PORTABLE_SUFFIXES  # numpy and the standard library only, as this module

# what each input and output of the networks holds (level<L>: every pyramid level) and the steps this module takes
# between them: `export` writes both into labels.json, as `networks` and `chain`
MEANINGS = {
    "image": "float32 pixels 0-255, letterboxed to image_size",
    "rpn_scores": "each anchor's objectness logit",
    "rpn_boxes": "each anchor's offsets (box_decoding)",
    "level": "the pyramid's maps at stride 2**L, for the heads",
    "proposals": "x_min, y_min, x_max, y_max in the image's pixels (chain)",
    "class_logits": "per proposal: background, then each class",
    "box_offsets": "per proposal and class: offsets from the proposal (box_decoding)",
    "boxes": "the detections: x_min, y_min, x_max, y_max in the image's pixels",
    "mask_logits": "per box and class: its mask on a grid over the box",
}
CHAIN = [
    "proposer(image)",
    "per picture: scores = sigmoid(rpn_scores); the rpn.pre_nms best anchors' rpn_boxes decoded (box_decoding), "
    "clipped to 0..image_size, those under rpn.smallest_side wide or high dropped, NMS at rpn.nms_iou: the "
    "rpn.proposals best are the proposals",
    "roi_head(level maps, proposals)",
    "scores = softmax(class_logits) without its first column (background); boxes = each proposal decoded by its "
    "box_offsets per class (box_decoding), clipped to the picture; per class NMS at detect.iou_threshold of those "
    "scored above detect.draw_threshold; the detect.max_detections best",
    "masks (mask_head only): sigmoid of mask_head(level maps, boxes) at each box's class",
    "boxes / the letterbox scale: in the picture's own pixels",
]


def decode(anchors, offsets, box_decoding):
    """Offsets (..., 4): centre y, x and log height, width, each over its `box_decoding["variance"]`, from xyxy
    `anchors` of the same shape -> xyxy boxes, each side at most `exp(largest_log_growth)` times its anchor's."""
    offsets = offsets * np.asarray(box_decoding["variance"], np.float32)
    sizes = anchors[..., 2:] - anchors[..., :2]  # width, height
    centres = anchors[..., :2] + sizes / 2 + offsets[..., 1::-1] * sizes  # the offsets are y first, boxes x first
    sizes = np.exp(np.minimum(offsets[..., :1:-1], box_decoding["largest_log_growth"])) * sizes
    return np.concatenate([centres - sizes / 2, centres + sizes / 2], axis=-1)


def iou(box, boxes):
    """The intersection over union of one xyxy `box` with each of `boxes` (N, 4); 0 where either has no area."""
    low, high = np.maximum(box[:2], boxes[:, :2]), np.minimum(box[2:], boxes[:, 2:])
    inter = np.prod(np.clip(high - low, 0, None), axis=-1)
    area, areas = np.prod(box[2:] - box[:2]), np.prod(boxes[:, 2:] - boxes[:, :2], axis=-1)
    union = np.where((area > 0) & (areas > 0), area + areas - inter, np.inf)
    return inter / union


def nms(boxes, scores, iou_threshold, score_threshold, limit):
    """Indices of the `boxes` (N, 4) that greedy non-maximum suppression keeps, best first, at most `limit`: those
    scored above `score_threshold` that overlap no better kept box by more than `iou_threshold`."""
    order = np.array([index for index in np.argsort(-scores, kind="stable") if scores[index] > score_threshold])
    kept = []
    while order.size and len(kept) < limit:
        kept.append(order[0])
        order = order[1:][iou(boxes[order[0]], boxes[order[1:]]) <= iou_threshold]
    return np.array(kept, int)


def propose(anchors, offsets, logits, labels):
    """One picture's proposals (n, 4) xyxy, best first, from the RPN's `offsets` (A, 4) and `logits` (A, 1)."""
    rpn = labels["rpn"]
    scores = 1 / (1 + np.exp(-logits[:, 0]))
    best = np.argsort(-scores, kind="stable")[: rpn["pre_nms"]]
    boxes = np.clip(decode(anchors[best], offsets[best], labels["box_decoding"]), 0, labels["image_size"])
    sides = np.minimum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
    scores = np.where(sides >= rpn["smallest_side"], scores[best], 0.0)
    return boxes[nms(boxes, scores, rpn["nms_iou"], 1e-6, rpn["proposals"])]


def detect(boxes, scores, extent, detect_settings):
    """One picture's detections `(boxes (n, 4), scores (n,), classes (n,))`, best first, from each proposal's box
    (R, classes, 4) and score (R, classes) per class: clipped to `extent` (the height and width the picture fills
    of the square), then non-maximum suppression per class and the best `max_detections` of all classes."""
    height, width = extent
    boxes = np.clip(boxes, 0, [width, height, width, height])
    found = []
    for label in range(scores.shape[1]):
        kept = nms(
            boxes[:, label],
            scores[:, label],
            detect_settings["iou_threshold"],
            detect_settings["score_threshold"],
            detect_settings["max_detections"],
        )
        found += [(scores[index, label], label, boxes[index, label]) for index in kept]
    found = sorted(found, key=lambda detection: -detection[0])[: detect_settings["max_detections"]]
    return (
        np.array([box for _, _, box in found], np.float32).reshape(-1, 4),
        np.array([score for score, _, _ in found], np.float32),
        np.array([label for _, label, _ in found], np.int32),
    )


def softmax(logits):
    exponentials = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return exponentials / exponentials.sum(axis=-1, keepdims=True)


def sigmoid(logits):
    return 1 / (1 + np.exp(-logits))


def load_network(path, runtime):
    """A callable `{input name: array}` -> `{output name: array}` over one exported network (`path` without its
    suffix), run by onnxruntime (`runtime="onnx"`) or LiteRT (`"litert"`)."""
    path = f"{path}{PORTABLE_SUFFIXES[runtime]}"
    if runtime == "onnx":
        import onnxruntime

        session = onnxruntime.InferenceSession(path)
        names = [output.name for output in session.get_outputs()]
        return lambda inputs: dict(zip(names, session.run(names, inputs), strict=True))
    from ai_edge_litert.interpreter import Interpreter

    runner = Interpreter(path).get_signature_runner()  # inputs and outputs by name, resized to each call's shapes
    return lambda inputs: runner(**inputs)


class TwoStageDetector:
    """Callable: letterboxed pixels (B, S, S, 3) float32 0-255 -> one dict per picture: `boxes` (n, 4) xyxy in those
    pixels, `scores` (n,), `classes` (n,) indices into `class_names`, best first, scored above `score_threshold`
    (default: labels.json's `detect.draw_threshold`, as the SavedModel serves); with a mask head also `masks` (n, M,
    M), each box's mask probabilities on a grid over the box (`inference.paste_mask` places one in its picture).

    Args:
        folder: the export folder: proposer, roi_head (and mask_head) files, anchors.npy, labels.json.
        runtime: "onnx" (the .onnx files, onnxruntime) or "litert" (the .tflite files).
    """

    def __init__(self, folder, runtime="onnx", score_threshold=None):
        folder = Path(folder)
        self.labels = json.loads((folder / "labels.json").read_text())
        self.anchors = np.load(folder / "anchors.npy")
        self.networks = {name: load_network(folder / name, runtime) for name in self.labels["networks"]}
        self.detect = dict(self.labels["detect"])
        self.detect["score_threshold"] = self.detect["draw_threshold"] if score_threshold is None else score_threshold
        self.class_names = self.labels["class_names"]

    def __call__(self, pixels, extents=None):
        """`extents` (B, 2): the height and width each picture fills of the square; None: the whole square."""
        pixels = np.asarray(pixels, np.float32)
        stage1 = self.networks["proposer"]({"image": pixels})
        if extents is None:
            extents = np.full((len(pixels), 2), self.labels["image_size"], np.float32)
        found = []
        for index, extent in enumerate(extents):
            maps = {name: stage1[name][index : index + 1] for name in self.labels["levels"]}
            proposals = propose(self.anchors, stage1["rpn_boxes"][index], stage1["rpn_scores"][index], self.labels)
            head = self.networks["roi_head"]({**maps, "proposals": proposals[None]})
            scores = softmax(head["class_logits"][0])[:, 1:]
            repeated = np.broadcast_to(proposals[:, None], head["box_offsets"][0].shape)
            refined = decode(repeated, head["box_offsets"][0], self.labels["box_decoding"])
            boxes, scores, classes = detect(refined, scores, extent, self.detect)
            found.append({"boxes": boxes, "scores": scores, "classes": classes})
            if "mask_head" in self.networks:
                found[-1]["masks"] = self.masks_of(maps, boxes, classes)
        return found

    def masks_of(self, maps, boxes, classes):
        """The mask probabilities (n, M, M) of one picture's `boxes` (n, 4), each for its class."""
        size = self.labels["mask_size"]
        if not len(boxes):
            return np.zeros((0, size, size), np.float32)
        logits = self.networks["mask_head"]({**maps, "boxes": boxes[None]})["mask_logits"][0]
        return sigmoid(logits[np.arange(len(boxes)), :, :, classes])
