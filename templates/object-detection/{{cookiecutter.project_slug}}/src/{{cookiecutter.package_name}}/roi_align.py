"""ROI Align (He et al., 2017): a fixed-size feature grid for each box, read from the pyramid level of its size.

A two-stage detector's second stage looks at each proposal through the same window: `output_size` x `output_size`
cells over the box, each the average of `sampling_ratio` x `sampling_ratio` bilinear samples at evenly spaced
points inside the cell. Nothing is rounded to the feature map's grid (ROI Pooling's quantisation), so a box one pixel
to the right reads features one pixel to the right, which the box refinement and the masks need.

Coordinates are continuous, pixel centres at half-integers (Detectron2's `aligned=True`): pixel `i` of a level with
stride `s` covers `[i * s, (i + 1) * s)` of the image. A sample within half a cell of the map's edge reads the
edge's value; one farther outside reads 0.

A box goes to the level whose anchors are its size: anchors of level L have sides `anchor_size * 2**L` up to twice
that (`anchors.anchor_boxes`), so a box of side `w` (the square root of its area) reads level
`floor(log2(w / anchor_size))`, kept within the pyramid's levels.

>>> align = RoIAlign(levels=[3], output_size=2, sampling_ratio=1)
>>> features = keras.ops.reshape(keras.ops.arange(16, dtype="float32"), (1, 4, 4, 1))   # one level, stride 8
>>> boxes = keras.ops.array([[[0.0, 0.0, 16.0, 16.0]]])                                  # the top-left 2 x 2 cells
>>> keras.ops.convert_to_numpy(align([features], boxes))[0, 0, :, :, 0]
array([[0., 1.],
       [4., 5.]], dtype=float32)
"""

import keras
from keras import layers, ops

from .runtime.backbones import SERIALIZATION_PACKAGE


def pyramid_level(boxes, anchor_size, min_level, max_level):
    """The level (int32, the shape of `boxes` without its last axis) each xyxy box is read from."""
    side = ops.sqrt(ops.maximum((boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1]), 1e-6))
    level = ops.floor(ops.log2(side / anchor_size))
    return ops.cast(ops.clip(level, min_level, max_level), "int32")


def bilinear(flat, base, height, width, y, x):
    """Bilinear samples at float positions `y` (N, Sy) and `x` (N, Sx), pixel centres at integers, of N feature
    maps held row by row in `flat` (M, C): map n starts at row `base[n]` and is `height[n]` x `width[n]` (all (N,)
    int32). Returns (N, Sy, Sx, C). Positions more than one pixel outside a map read 0; within that, its edge."""
    height, width = ops.cast(height, "float32")[:, None], ops.cast(width, "float32")[:, None]
    inside_y = (y >= -1.0) & (y <= height)
    inside_x = (x >= -1.0) & (x <= width)
    y, x = ops.clip(y, 0.0, height - 1.0), ops.clip(x, 0.0, width - 1.0)
    y0, x0 = ops.floor(y), ops.floor(x)
    y1, x1 = ops.minimum(y0 + 1.0, height - 1.0), ops.minimum(x0 + 1.0, width - 1.0)
    dy, dx = (y - y0)[:, :, None, None], (x - x0)[:, None, :, None]
    row_length = ops.cast(width, "int32")[:, :, None]
    base = ops.cast(base, "int32")[:, None, None]

    def read(rows, columns):
        index = base + ops.cast(rows, "int32")[:, :, None] * row_length + ops.cast(columns, "int32")[:, None, :]
        return ops.take(flat, index, axis=0)

    top = read(y0, x0) * (1.0 - dx) + read(y0, x1) * dx
    bottom = read(y1, x0) * (1.0 - dx) + read(y1, x1) * dx
    inside = ops.cast(inside_y[:, :, None, None] & inside_x[:, None, :, None], flat.dtype)
    return (top * (1.0 - dy) + bottom * dy) * inside


@keras.saving.register_keras_serializable(package=SERIALIZATION_PACKAGE)
class RoIAlign(layers.Layer):
    """Inputs `[level maps (B, H_L, W_L, C) for each of levels, in order], boxes (B, R, 4) xyxy image pixels` ->
    `(B, R, output_size, output_size, C)`.

    Args:
        levels: the pyramid levels of the maps, e.g. `[3, 4, 5]`; level L has stride `2**L`.
        output_size: cells per side of each box's grid.
        sampling_ratio: bilinear samples per cell per side, averaged.
        anchor_size: the anchors' `size`: which level reads a box (module docstring).
    """

    def __init__(self, levels, output_size=7, sampling_ratio=2, anchor_size=4.0, **kwargs):
        super().__init__(**kwargs)
        self.levels = [int(level) for level in levels]
        self.output_size = output_size
        self.sampling_ratio = sampling_ratio
        self.anchor_size = float(anchor_size)

    def call(self, maps, boxes):
        batch, count = ops.shape(boxes)[0], ops.shape(boxes)[1]
        boxes = ops.reshape(ops.cast(boxes, "float32"), (-1, 4))
        image = ops.repeat(ops.arange(batch), count)
        # every level's maps row by row in one table, so each box reads its own level in one gather
        flat = ops.concatenate([ops.reshape(ops.cast(m, "float32"), (-1, ops.shape(m)[-1])) for m in maps], axis=0)
        heights = ops.stack([ops.shape(m)[1] for m in maps])
        widths = ops.stack([ops.shape(m)[2] for m in maps])
        starts = ops.cumsum(ops.concatenate([ops.zeros((1,), "int32"), batch * heights * widths]))[:-1]
        level = pyramid_level(boxes, self.anchor_size, self.levels[0], self.levels[-1]) - self.levels[0]
        height, width = ops.take(heights, level), ops.take(widths, level)
        base = ops.take(starts, level) + image * height * width
        stride = ops.cast(2 ** (level + self.levels[0]), "float32")[:, None]

        samples = self.output_size * self.sampling_ratio
        steps = (ops.arange(samples, dtype="float32") + 0.5) / samples  # sample centres across the box, in (0, 1)
        start = boxes[:, :2] / stride - 0.5  # x and y of the box's corner in its map's pixels (centres at integers)
        extent = (boxes[:, 2:] - boxes[:, :2]) / stride
        x = start[:, 0:1] + extent[:, 0:1] * steps[None]
        y = start[:, 1:2] + extent[:, 1:2] * steps[None]
        grid = bilinear(flat, base, height, width, y, x)
        size, ratio = self.output_size, self.sampling_ratio
        channels = ops.shape(flat)[-1]  # known when tracing, so the convolutions after it see their channels
        grid = ops.mean(ops.reshape(grid, (-1, size, ratio, size, ratio, channels)), axis=(2, 4))
        return ops.cast(ops.reshape(grid, (batch, count, size, size, channels)), self.compute_dtype)

    def compute_output_shape(self, maps_shape, boxes_shape):
        return (*boxes_shape[:2], self.output_size, self.output_size, maps_shape[0][-1])

    def get_config(self):
        return {
            **super().get_config(),
            "levels": self.levels,
            "output_size": self.output_size,
            "sampling_ratio": self.sampling_ratio,
            "anchor_size": self.anchor_size,
        }
