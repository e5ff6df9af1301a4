"""Pretrained backbones from `keras.applications`, and the layers a saved model carries with it.

Each backbone takes RGB pixels in [0, 255]: the ones trained on Caffe-style input get `CaffePreprocessing`
in front, the others normalise inside (`include_preprocessing=True`). `build_application` turns a failed
ImageNet download or a wrong weights file into one clear message; `copy_weights_by_name` transfers the
layers of a `.keras` model from an earlier run; `set_trainable` freezes and unfreezes for the phases of
`runtime/phases.py`.

    features = build_application("resnet50", keras.Input((224, 224, 3)), weights="imagenet")
"""

import keras
from keras import layers, ops

from .errors import UserError

SERIALIZATION_PACKAGE = "keras_templates"


@keras.saving.register_keras_serializable(package=SERIALIZATION_PACKAGE)
class CaffePreprocessing(layers.Layer):
    """RGB [0, 255] -> BGR minus the ImageNet channel means: the input ResNet50 and VGG16 were trained on.

    >>> CaffePreprocessing()(keras.ops.ones((1, 2, 2, 3)) * 255.0).shape
    (1, 2, 2, 3)
    """

    MEAN_BGR = (103.939, 116.779, 123.68)

    def call(self, images):
        return ops.flip(images, axis=-1) - ops.convert_to_tensor(self.MEAN_BGR, dtype=images.dtype)


@keras.saving.register_keras_serializable(package=SERIALIZATION_PACKAGE)
class LabelMap(layers.Layer):
    """Passes its input through unchanged and keeps the class names (and mask colours) in the saved model.

    >>> LabelMap(["background", "road"], colours=[[0, 0, 0], [128, 64, 128]]).colours[1]
    [128, 64, 128]
    """

    def __init__(self, class_names, colours=None, **kwargs):
        super().__init__(**kwargs)
        self.class_names = list(class_names)
        self.colours = [list(colour) for colour in colours] if colours is not None else None

    def call(self, inputs):
        return inputs

    def get_config(self):
        return {**super().get_config(), "class_names": self.class_names, "colours": self.colours}


# name -> (constructor, preprocessing layer for 0-255 RGB input, or None when the model normalises inside)
APPLICATIONS = {
    "mobilenet_v3_small": (lambda **kw: keras.applications.MobileNetV3Small(include_preprocessing=True, **kw), None),
    "mobilenet_v3_large": (lambda **kw: keras.applications.MobileNetV3Large(include_preprocessing=True, **kw), None),
    "efficientnet_v2_b0": (lambda **kw: keras.applications.EfficientNetV2B0(include_preprocessing=True, **kw), None),
    "resnet50": (keras.applications.ResNet50, CaffePreprocessing),
    "vgg16": (keras.applications.VGG16, CaffePreprocessing),
    "convnext_tiny": (lambda **kw: keras.applications.ConvNeXtTiny(include_preprocessing=True, **kw), None),
}


# Per backbone, the layers that start each downsampling, from 1/2 to 1/32: the feature map of each size is the one
# entering one of them, the last of its size. (MobileNetV3 leaves its activations unnamed.)
DOWNSAMPLINGS = {
    "mobilenet_v3_small": (
        "expanded_conv_depthwise_pad",
        "expanded_conv_1_depthwise_pad",
        "expanded_conv_3_depthwise_pad",
        "expanded_conv_8_depthwise_pad",
    ),
    "mobilenet_v3_large": (
        "expanded_conv_1_depthwise_pad",
        "expanded_conv_3_depthwise_pad",
        "expanded_conv_6_depthwise_pad",
        "expanded_conv_12_depthwise_pad",
    ),
    "efficientnet_v2_b0": ("block2a_expand_conv", "block3a_expand_conv", "block4a_dwconv2", "block6a_dwconv2"),
    "resnet50": ("pool1_pad", "conv3_block1_1_conv", "conv4_block1_1_conv", "conv5_block1_1_conv"),
}


def preprocess(name, pixels):
    """The backbone's own input scaling applied to 0-255 pixels (identity where the backbone does it inside)."""
    preprocessing = APPLICATIONS[name][1]
    return preprocessing(name="preprocess")(pixels) if preprocessing is not None else pixels


def build_application(name, input_tensor, weights):
    """`keras.applications` backbone `name` without its top, on `input_tensor`, its layers inlined in the caller's
    graph. `weights`: "imagenet", None, or a `.h5` file of the backbone's weights."""
    constructor = APPLICATIONS[name][0]
    try:
        return constructor(include_top=False, weights=weights, input_tensor=input_tensor)
    except Exception as error:  # Keras raises a bare Exception when the download fails
        if weights == "imagenet" and ("URL fetch failure" in str(error) or "urlopen" in str(error).lower()):
            raise UserError(
                f"could not download the ImageNet weights of {name} ({error}). Offline? Set model.weights=none to "
                f"train from scratch, or model.weights=<path> to a local weights file"
            ) from None
        if weights not in (None, "imagenet"):
            raise UserError(
                f"model.weights {weights}: not weights of {name} without its top ({type(error).__name__}: {error})"
            ) from None
        raise


def feature_pyramid(name, application):
    """`{level: feature map}` of a `build_application` backbone, level L being 1/2**L of the input, for L in 1..5:
    what a U-Net's skips and a detector's feature pyramid take."""
    maps = [application.get_layer(layer_name).input for layer_name in DOWNSAMPLINGS[name]]
    return dict(zip(range(1, 6), [*maps, application.output], strict=True))


def nested_layers(model):
    """Every layer of `model`, those of the models inside it too (a two-stage detector holds its backbone in its
    first stage's model)."""
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from nested_layers(layer)


def copy_weights_by_name(target_layers, source_path):
    """Copies weights layer by layer name from the `.keras` model at `source_path` into `target_layers`."""
    source = keras.saving.load_model(source_path, compile=False)
    source_layers = {layer.name: layer for layer in nested_layers(source)}
    copied = 0
    for layer in target_layers:
        if layer.name in source_layers and layer.weights:
            try:
                layer.set_weights(source_layers[layer.name].get_weights())
            except ValueError as error:
                raise UserError(f"model.weights {source_path}: layer {layer.name} does not match ({error})") from None
            copied += 1
    if copied == 0:
        raise UserError(f"model.weights {source_path}: no backbone layer matches; is it the same backbone?")


def set_trainable(model, backbone, phase, unfreeze_top=0):
    """Phase `scratch`: every layer trains. `head`: the `backbone` layers are frozen. `finetune`: the top
    `unfreeze_top` of them train too. Frozen BatchNorm layers run in inference mode in Keras 3, and
    BatchNorm stays frozen in fine-tuning, as the Keras transfer-learning guide advises."""
    for layer in model.layers:
        layer.trainable = True
    if phase == "scratch":
        return
    for layer in backbone:
        layer.trainable = False
    if phase == "finetune" and unfreeze_top > 0:
        for layer in backbone[-unfreeze_top:]:
            if not isinstance(layer, layers.BatchNormalization):
                layer.trainable = True
