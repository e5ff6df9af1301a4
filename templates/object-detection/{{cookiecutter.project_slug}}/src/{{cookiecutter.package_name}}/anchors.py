"""Anchor boxes: where the detector looks, how many it looks at, and anchor sizes fitted to the training boxes.

At each pyramid level L (min_level..max_level) the feature map is image_size / 2^L cells square, one cell per
stride of 2^L input pixels, and each cell holds K = num_scales x len(aspect_ratios) anchors. `anchor_boxes`
lists all of them, in the order the model's heads are reshaped to (see its docstring). Keras Hub's
`AnchorGenerator` makes the shapes; its aspect ratio is height / width (its docstring says the opposite), and it
cuts each anchor side to whole pixels, then rounds half-widths and half-heights to whole pixels (halves to even),
which changes the shape of anchors only a few pixels wide (a 4-pixel anchor of ratio 0.5 comes out 6 x 2).

`fit_anchors` picks aspect ratios and sizes from the training boxes, in the spirit of YOLOv5's AutoAnchor, and
`report` prints the table of the `anchors` verb:

    spec = fit_anchors(train_boxes, image_size=256, max_level=5)
    for line in report(spec, 256, train_boxes):
        print(line)
"""

import dataclasses

import numpy as np
from PIL import Image, ImageDraw

from .runtime.errors import UserError

ANCHOR_SIZES = (1, 1.5, 2, 3, 4, 6, 8)  # base anchor side in strides, tried by fit_anchors
HIGHEST_LEVEL = 7  # RetinaNet's P7: coarser levels add anchors larger than most images
FIT_SAMPLE = 5000  # boxes fit_anchors scores each candidate on; more changes the recall by little
RATIO_COLOURS = ((230, 25, 75), (60, 180, 75), (0, 130, 200), (245, 130, 48), (145, 30, 180), (70, 240, 240))


@dataclasses.dataclass
class AnchorSpec:
    """The anchors of every pyramid level: base side `anchor_size` x 2^level pixels, `num_scales` sizes per octave
    (side x 2^(i / num_scales)), and each size at every aspect ratio, height / width."""

    min_level: int
    max_level: int
    num_scales: int
    aspect_ratios: list[float]
    anchor_size: float

    def per_location(self) -> int:
        """K, the anchors at each feature map cell."""
        return self.num_scales * len(self.aspect_ratios)


def level_shapes(spec: AnchorSpec, image_size: int) -> list[tuple[int, int, int, int]]:
    """`(level, height, width, anchors per cell)` of each pyramid level, coarsest last."""
    if image_size % 2**spec.max_level:
        raise ValueError(f"image size {image_size} is not a multiple of 2^{spec.max_level}")
    return [
        (level, image_size // 2**level, image_size // 2**level, spec.per_location())
        for level in range(spec.min_level, spec.max_level + 1)
    ]


def anchor_boxes(spec: AnchorSpec, image_size: int) -> np.ndarray:
    """All anchors, `(A, 4)` float32 `x1, y1, x2, y2` in input pixels, A = sum over levels of H x W x K.

    Order: level by level from `min_level`; within a level the cells row by row (row r, column c is cell
    r x W + c); within a cell, aspect ratio by aspect ratio and, for each, scale by scale (anchor
    k = ratio index x num_scales + scale index). So anchor `offset(L) + (r x W + c) x K + k` belongs to cell
    (r, c) of level L, and a head output `(batch, H, W, K x n)` reshaped to `(batch, H x W x K, n)` lines up.

    Anchor centres are Keras Hub's: the cells' top-left corners, (c x stride, r x stride), not their middles.
    Shifting them by half a stride changes the anchor recall of boxes spread over the image by under a point
    either way (the regression learns offsets from wherever the centres are), and keeping them makes these the
    anchors of Keras Hub's own RetinaNet.
    """
    import keras
    from keras_hub.layers import AnchorGenerator

    generator = AnchorGenerator(
        bounding_box_format="xyxy",
        min_level=spec.min_level,
        max_level=spec.max_level,
        num_scales=spec.num_scales,
        aspect_ratios=list(spec.aspect_ratios),
        anchor_size=spec.anchor_size,
    )
    # the generator reads only the image's shape
    by_level = generator(keras.ops.zeros((image_size, image_size, 1)))
    levels = []
    for level, *_ in level_shapes(spec, image_size):
        levels.append(keras.ops.convert_to_numpy(by_level[f"P{level}"]))
    return np.concatenate(levels).astype(np.float32)


def paired_iou(boxes: np.ndarray, others: np.ndarray) -> np.ndarray:
    """IoU of boxes and others, xyxy, element by element (the shapes broadcast)."""
    width = np.minimum(boxes[..., 2], others[..., 2]) - np.maximum(boxes[..., 0], others[..., 0])
    height = np.minimum(boxes[..., 3], others[..., 3]) - np.maximum(boxes[..., 1], others[..., 1])
    overlap = np.clip(width, 0, None) * np.clip(height, 0, None)
    area = (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])
    other_area = (others[..., 2] - others[..., 0]) * (others[..., 3] - others[..., 1])
    return overlap / np.maximum(area + other_area - overlap, 1e-9)


def best_anchor_iou(boxes: np.ndarray, spec: AnchorSpec, image_size: int) -> np.ndarray:
    """`(n,)`: each box's highest IoU with any anchor; boxes `(n, 4)` xyxy in input pixels.

    Exact without comparing every box with every anchor: the anchors of a level are one set of K shapes moved
    from cell to cell, and a shape's overlap with a box only shrinks as its centre moves away from the box's in x
    or in y, so per level only the cell whose centre is nearest the box's can hold the best anchor.
    """
    boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, 4)
    anchors = anchor_boxes(spec, image_size)
    centre_x = (boxes[:, 0] + boxes[:, 2]) / 2
    centre_y = (boxes[:, 1] + boxes[:, 3]) / 2
    best = np.zeros(len(boxes), dtype=np.float32)
    offset = 0
    for level, height, width, per_location in level_shapes(spec, image_size):
        stride = 2**level
        rows = np.clip(np.round(centre_y / stride), 0, height - 1).astype(int)
        cols = np.clip(np.round(centre_x / stride), 0, width - 1).astype(int)
        first = offset + (rows * width + cols) * per_location
        nearest = anchors[first[:, None] + np.arange(per_location)]  # (n, K, 4)
        best = np.maximum(best, paired_iou(boxes[:, None, :], nearest).max(axis=1))
        offset += height * width * per_location
    return best


def anchor_recall(boxes: np.ndarray, spec: AnchorSpec, image_size: int, iou: float = 0.5) -> float:
    """The share of boxes `(n, 4)` (xyxy, input pixels) that some anchor overlaps at IoU >= `iou` (1.0 for no
    boxes): the others no anchor is assigned to by IoU, so the model learns each of them from its closest anchor
    alone."""
    best = best_anchor_iou(boxes, spec, image_size)
    return float(np.mean(best >= iou)) if len(best) else 1.0


def default_max_level(image_size: int) -> int:
    """The coarsest level, up to P7, whose stride divides the image size (so its feature map is whole)."""
    level = 0
    while level < HIGHEST_LEVEL and image_size % 2 ** (level + 1) == 0:
        level += 1
    return level


def ratio_clusters(heights_over_widths: np.ndarray, count: int) -> list[float]:
    """`count` aspect ratios from k-means on log(height / width) (ratios 2 and 1/2 lie equally far from 1 there),
    rounded to two decimals, fewer when the boxes have fewer distinct shapes."""
    values = np.log(heights_over_widths)
    centres = np.quantile(values, (np.arange(count) + 0.5) / count)  # deterministic start, spread like the data
    for _ in range(50):
        nearest = np.abs(values[:, None] - centres[None, :]).argmin(axis=1)
        updated = np.array([values[nearest == i].mean() if np.any(nearest == i) else centres[i] for i in range(count)])
        if np.allclose(updated, centres):
            break
        centres = updated
    return sorted({round(float(np.exp(centre)), 2) for centre in centres})


def fit_anchors(
    boxes: np.ndarray,
    image_size: int,
    min_level_range: tuple[int, int] = (2, 3),
    max_level: int | None = None,
    num_scales: int = 3,
    ratios: int = 3,
    seed: int = 0,
) -> AnchorSpec:
    """Anchor sizes and aspect ratios that cover the training boxes `(n, 4)` (xyxy, input pixels).

    Aspect ratios: k-means with `ratios` clusters on the boxes' log(height / width). Size and levels: every
    anchor_size in `ANCHOR_SIZES` with every min_level in `min_level_range` (inclusive) and every max_level from it
    up to `max_level` (default `default_max_level(image_size)`), keeping the one with the highest `anchor_recall` on
    up to `FIT_SAMPLE` boxes; ties go to fewer anchors (so no level whose anchors are larger than every box), then to
    the higher mean best IoU. Recall is measured on the boxes where they are, not only on their sizes: a box
    between two anchor centres overlaps either less than one centred on it would.
    """
    boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, 4)
    widths, heights = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    boxes = boxes[(widths > 0) & (heights > 0)]
    if not len(boxes):
        raise ValueError("fit_anchors needs at least one box of positive width and height")
    max_level = default_max_level(image_size) if max_level is None else max_level
    assert image_size % 2**max_level == 0, f"image size {image_size} is not a multiple of 2^{max_level}"
    if len(boxes) > FIT_SAMPLE:
        boxes = boxes[np.random.default_rng(seed).choice(len(boxes), FIT_SAMPLE, replace=False)]
    aspect_ratios = ratio_clusters((boxes[:, 3] - boxes[:, 1]) / (boxes[:, 2] - boxes[:, 0]), ratios)

    best_spec, best_score = None, None
    for min_level in range(min_level_range[0], min(min_level_range[1], max_level) + 1):
        for top_level in range(min_level, max_level + 1):
            for anchor_size in ANCHOR_SIZES:
                spec = AnchorSpec(min_level, top_level, num_scales, aspect_ratios, anchor_size)
                ious = best_anchor_iou(boxes, spec, image_size)
                anchor_count = sum(h * w * k for _, h, w, k in level_shapes(spec, image_size))
                score = (float(np.mean(ious >= 0.5)), -anchor_count, float(ious.mean()))
                if best_score is None or score > best_score:
                    best_spec, best_score = spec, score
    return best_spec


def report(spec: AnchorSpec, image_size: int, boxes: np.ndarray | None = None) -> list[str]:
    """The anchors per level as aligned text lines, their total and, given boxes `(n, 4)` (xyxy, input pixels),
    how many of them some anchor matches at IoU 0.5."""
    ratios = ", ".join(f"{ratio:g}" for ratio in spec.aspect_ratios)
    lines = [
        f"anchors: side {spec.anchor_size:g} x stride, {spec.num_scales} scales per octave, "
        f"aspect ratios (height / width) {ratios}",
        f"{'level':<6}{'stride':>7}{'feature map':>13}{'per cell':>10}{'anchors':>10}",
    ]
    total = 0
    for level, height, width, per_location in level_shapes(spec, image_size):
        count = height * width * per_location
        total += count
        lines.append(f"{f'P{level}':<6}{2**level:>7}{f'{height} x {width}':>13}{per_location:>10}{count:>10}")
    lines.append(f"{'total':<36}{total:>10}")
    if boxes is not None and len(boxes):
        best = best_anchor_iou(boxes, spec, image_size)
        missed = int(np.sum(best < 0.5))
        lines.append(f"anchor recall at IoU 0.5: {1 - missed / len(best):.1%} of {len(best)} boxes")
        lines.append(
            f"boxes no anchor overlaps at IoU 0.5 (each learns from its closest anchor only): {missed / len(best):.1%}"
        )
    return lines


def draw_location(image: np.ndarray, spec: AnchorSpec, image_size: int, level: int, row: int, col: int) -> np.ndarray:
    """A copy of `image` (image_size x image_size x 3, uint8) with the K anchors of cell (row, col) of `level`
    outlined, one colour per aspect ratio (the scales of a ratio nest), and the cell's centre marked."""
    shapes = {shape[0]: shape for shape in level_shapes(spec, image_size)}
    if level not in shapes:
        raise UserError(
            f"level {level} is not a pyramid level of the model: pick one of {spec.min_level}..{spec.max_level}"
        )
    _, height, width, per_location = shapes[level]
    if not (0 <= row < height and 0 <= col < width):
        raise UserError(f"cell ({row}, {col}) is outside level {level}'s {height} x {width} feature map")
    offset = sum(h * w * k for lvl, h, w, k in shapes.values() if lvl < level)
    first = offset + (row * width + col) * per_location
    anchors = anchor_boxes(spec, image_size)[first : first + per_location]

    picture = Image.fromarray(np.asarray(image, dtype=np.uint8))
    draw = ImageDraw.Draw(picture)
    for index, box in enumerate(anchors):
        draw.rectangle(box.tolist(), outline=RATIO_COLOURS[index // spec.num_scales % len(RATIO_COLOURS)])
    centre_x, centre_y = col * 2**level, row * 2**level
    draw.ellipse((centre_x - 2, centre_y - 2, centre_x + 2, centre_y + 2), fill=(255, 255, 255))
    return np.asarray(picture)
