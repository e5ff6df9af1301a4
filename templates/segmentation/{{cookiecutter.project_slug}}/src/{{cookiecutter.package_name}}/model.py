"""The segmenter: raw pixels in, per-pixel class probabilities out, preprocessing and label map inside.

A U-Net (Ronneberger et al., 2015): an encoder halves the picture level by level, a decoder doubles it back
and, at each size, concatenates the encoder's feature map of that size (the skip), so fine detail the
encoder pooled away comes back for the borders.

    image (any size, 0-255) -> Resizing -> preprocessing
        |
      down1 (1/1) ------------- skip -------------> up4 -> dropout -> 1x1 conv -> probabilities -> LabelMap
        down2 (1/2) ----------- skip -----------> up3
          down3 (1/4) --------- skip ---------> up2
            down4 (1/8) ------- skip -------> up1
              pool -> bottleneck (1/16) ------^

`unet` builds that encoder from scratch: two 3x3 conv + BatchNorm + ReLU per level, then 2x2 max pooling.
The other encoders come from `keras.applications`: their feature maps at 1/2 to 1/16 are the skips, their
1/32 output feeds five 2x upsamplings back to full size. Their layers sit in the model itself, not nested,
so fine-tuning can unfreeze the top N.
"""

import keras
from keras import layers, ops

from .runtime import backbones
from .runtime.backbones import LabelMap

HEAD = ("image", "resize", "preprocess", "dropout", "logits", "probabilities", "labels")
DECODER_PREFIX = "up"


@keras.saving.register_keras_serializable(package=backbones.SERIALIZATION_PACKAGE)
class TwoClassSigmoid(layers.Layer):
    """One logit `z` per pixel -> the probabilities `[1 - sigmoid(z), sigmoid(z)]` of two classes.

    Binary cross-entropy on `sigmoid(z)` is exactly cross-entropy on these, and everything downstream
    (loss, metrics, prediction) sees two class probabilities, as with softmax.

    >>> keras.ops.convert_to_numpy(TwoClassSigmoid()(keras.ops.zeros((1, 1)))).tolist()
    [[0.5, 0.5]]
    """

    def call(self, logits):
        # sigmoid(-z) is 1 - sigmoid(z) without the rounding loss of the subtraction near 1
        return ops.concatenate([ops.sigmoid(-logits), ops.sigmoid(logits)], axis=-1)


def conv_block(x, width, prefix, batchnorm_momentum):
    """Two 3x3 conv -> BatchNorm -> ReLU; no conv bias, as BatchNorm's shift replaces it."""
    for index in (1, 2):
        x = layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"{prefix}_conv{index}")(x)
        x = layers.BatchNormalization(momentum=batchnorm_momentum, name=f"{prefix}_bn{index}")(x)
        x = layers.ReLU(name=f"{prefix}_relu{index}")(x)
    return x


def up_block(x, skip, width, prefix, batchnorm_momentum):
    """2x up-convolution, concatenation with the encoder's feature map of that size (if any), conv block."""
    x = layers.Conv2DTranspose(width, 2, strides=2, name=f"{prefix}_upsample")(x)
    if skip is not None:
        x = layers.Concatenate(name=f"{prefix}_concat")([x, skip])
    return conv_block(x, width, prefix, batchnorm_momentum)


def unet_encoder(x, filters, batchnorm_momentum):
    """The U-Net's contracting path: `(bottleneck, skips from the top level down)`."""
    skips = []
    for level, width in enumerate(filters, start=1):
        x = conv_block(x, width, f"down{level}", batchnorm_momentum)
        skips.append(x)
        x = layers.MaxPooling2D(2, name=f"down{level}_pool")(x)
    return conv_block(x, 2 * filters[-1], "bottleneck", batchnorm_momentum), skips


def application_encoder(name, x, weights):
    """A `keras.applications` encoder: `(its 1/32 output, skips at 1/2, 1/4, 1/8, 1/16)`."""
    pyramid = backbones.feature_pyramid(name, backbones.build_application(name, x, weights))
    return pyramid[5], [pyramid[level] for level in range(1, 5)]


def build_model(config, class_names, colours, image_size, batchnorm_momentum=0.99):
    """The segmenter for `config.model`; `image_size` a multiple of 32, `colours` one [r, g, b] per class."""
    model_config = config.model
    inputs = keras.Input((None, None, 3), name="image")
    x = layers.Resizing(image_size, image_size, name="resize")(inputs)
    if model_config.encoder == "unet":
        x = layers.Rescaling(1.0 / 255, name="preprocess")(x)
        x, skips = unet_encoder(x, model_config.filters, batchnorm_momentum)
        widths = list(reversed(model_config.filters))
    else:
        x = backbones.preprocess(model_config.encoder, x)
        weights = model_config.weights if model_config.weights.endswith((".h5", "imagenet")) else None
        x, skips = application_encoder(model_config.encoder, x, weights)
        skips = [None, *skips]  # the last upsampling reaches full size, where the encoder kept nothing
        widths = model_config.decoder_filters
    for index, (width, skip) in enumerate(zip(widths, reversed(skips), strict=True), start=1):
        x = up_block(x, skip, width, f"{DECODER_PREFIX}{index}", batchnorm_momentum)
    x = layers.Dropout(model_config.dropout, name="dropout")(x)
    if model_config.activation == "sigmoid":
        x = layers.Conv2D(1, 1, name="logits")(x)
        x = TwoClassSigmoid(dtype="float32", name="probabilities")(x)
    else:
        x = layers.Conv2D(len(class_names), 1, name="logits")(x)
        x = layers.Activation("softmax", dtype="float32", name="probabilities")(x)
    outputs = LabelMap(class_names, colours, name="labels", dtype="float32")(x)
    model = keras.Model(inputs, outputs, name=f"{model_config.encoder}_segmenter")
    if model_config.weights.endswith(".keras"):
        backbones.copy_weights_by_name(encoder_layers(model), model_config.weights)
    return model


def output_stride(model_config):
    """Input pixels per cell of the model's coarsest feature map: unet halves once per level, the encoders five
    times."""
    return 2 ** len(model_config.filters) if model_config.encoder == "unet" else 32


def encoder_layers(model):
    """The encoder's layers in order: everything between the preprocessing and the decoder."""
    return [layer for layer in model.layers if layer.name not in HEAD and not layer.name.startswith(DECODER_PREFIX)]


def set_trainable(model, phase, unfreeze_top=0):
    """Freezes the encoder for phase `head`, unfreezes its top `unfreeze_top` layers for `finetune`."""
    backbones.set_trainable(model, encoder_layers(model), phase, unfreeze_top)


def palette(num_classes):
    """Distinct [r, g, b] colours, class 0 black: Pascal VOC's colour map, which spreads the bits of the class
    index over the high bits of the three channels (1: dark red, 2: green, 3: olive, 4: navy, ...)."""
    colours = []
    for index in range(num_classes):
        rgb, bits = [0, 0, 0], index
        for shift in range(7, -1, -1):
            for channel in range(3):
                rgb[channel] |= ((bits >> channel) & 1) << shift
            bits >>= 3
        colours.append(rgb)
    return colours


def example_model(config, num_classes):
    """The model `config` builds for `num_classes` classes, for the `summary` verb."""
    size = config.data.image_size if config.data.image_size != "auto" else 64
    return build_model(config, [f"class_{index}" for index in range(num_classes)], palette(num_classes), size)


def class_names_of(model):
    return model.get_layer("labels").class_names


def colours_of(model):
    return model.get_layer("labels").colours
