"""Captioning: a picture read as a sequence of regions, the "source sentence" the decoder attends over.

A CNN turns the picture into a grid of feature vectors, one per region; flattened, the grid is a sequence
like an encoded sentence, so the decoders of `recurrent.py` and `transformer.py` attend over regions as they
attend over words (Xu et al., 2015, "Show, Attend and Tell"). Each region also gets a learned position
vector: a caption says "on the left", and the features alone need not say where they came from.
"""

import math

import keras
import keras_hub
from keras import layers

from .runtime.backbones import SERIALIZATION_PACKAGE, build_application, preprocess

GRID = 8  # the scratch CNN halves the picture until its grid is at most this many regions a side
NARROWEST, WIDEST = 32, 256  # its filters double per halving, from the first to at most the last


@keras.saving.register_keras_serializable(package=SERIALIZATION_PACKAGE)
class ImageEncoder(layers.Layer):
    """RGB pixels in [0, 255] `[batch, size, size, 3]` -> region features `[batch, regions, units]`.

    `backbone="cnn"` is a small CNN trained from scratch with the rest: a 3x3 convolution and a 2x2
    max-pool per halving, two more convolutions on the final grid, and no BatchNorm (its moving
    statistics would not settle in the few hundred steps of a small dataset). A `keras.applications`
    name (`mobilenet_v3_small`, `efficientnet_v2_b0`, `resnet50`, ...) uses that network's last feature
    map, frozen, with `weights` "imagenet" or a weights file; only the projection to `units` then trains.

    >>> ImageEncoder(image_size=64, units=32)(keras.ops.zeros((2, 64, 64, 3))).shape
    (2, 64, 32)
    """

    def __init__(self, image_size, units, backbone="cnn", weights=None, dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        self.image_size, self.units, self.backbone_name, self.dropout = image_size, units, backbone, dropout
        pixels = keras.Input((image_size, image_size, 3))
        if backbone == "cnn":
            blocks = max(0, math.ceil(math.log2(image_size / GRID)))
            features = layers.Rescaling(1 / 255.0)(pixels)
            filters = NARROWEST
            for block in range(blocks):
                filters = min(WIDEST, NARROWEST * 2**block)
                features = layers.Conv2D(filters, 3, padding="same", activation="relu")(features)
                features = layers.MaxPooling2D()(features)
            # Two more on the final grid, where they are cheap: each region then sees its neighbours, enough to
            # tell a shape's outline and where it stands against another.
            for _ in range(2):
                features = layers.Conv2D(filters, 3, padding="same", activation="relu")(features)
            self.cnn = keras.Model(pixels, features, name="cnn")
        else:
            self.cnn = build_application(backbone, preprocess(backbone, pixels), weights)
            self.cnn.trainable = False
        grid_height, grid_width = self.cnn.output.shape[1:3]
        self.grid = (grid_height, grid_width)
        self.project = layers.Dense(units, activation="relu", name="project")
        self.positions = keras_hub.layers.PositionEmbedding(grid_height * grid_width, name="region_positions")
        self.normalise = layers.LayerNormalization(name="normalise")
        self.features_dropout = layers.Dropout(dropout)

    def call(self, images, training=False):
        features = self.cnn(images, training=training and self.backbone_name == "cnn")
        regions = keras.ops.reshape(features, (-1, self.grid[0] * self.grid[1], features.shape[-1]))
        regions = self.project(regions)
        return self.features_dropout(self.normalise(regions + self.positions(regions)), training=training)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.grid[0] * self.grid[1], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "image_size": self.image_size,
            "units": self.units,
            "backbone": self.backbone_name,
            "dropout": self.dropout,
        }


def saved_image_encoder(options):
    """A model's `image_encoder` options as its config keeps them: without `weights`, since a saved model carries
    its trained weights, and loading it must not fetch ImageNet's again."""
    return None if options is None else {**options, "weights": None}
