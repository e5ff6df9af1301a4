"""The classifier: raw pixels in, class probabilities out, preprocessing and label map inside.

    image (any size, 0-255) -> Resizing -> backbone preprocessing -> backbone -> pooling -> dropout
    -> Dense softmax -> LabelMap (carries the class names)

Backbones come from `keras.applications` (transfer learning) or are a small CNN built from the
config's blocks (training from scratch). The backbone's layers sit in the model itself, not nested,
so Grad-CAM can reach any of them and fine-tuning can unfreeze the top N.
"""

import keras
from keras import layers

from .runtime import backbones
from .runtime.backbones import LabelMap

HEAD = ("image", "resize", "preprocess", "pool", "dropout", "logits", "probabilities", "labels")


def small_cnn(x, blocks, batchnorm_momentum):
    """Conv -> BatchNorm -> ReLU -> pooling per block; each knob of a block is in the config."""
    for index, block in enumerate(blocks, start=1):
        x = layers.Conv2D(
            block.filters,
            block.kernel_size,
            strides=block.stride,
            padding=block.padding,
            use_bias=False,
            name=f"block{index}_conv",
        )(x)
        x = layers.BatchNormalization(momentum=batchnorm_momentum, name=f"block{index}_bn")(x)
        x = layers.ReLU(name=f"block{index}_relu")(x)
        if block.pool != "none":
            pool = layers.MaxPooling2D if block.pool == "max" else layers.AveragePooling2D
            x = pool(block.pool_size, name=f"block{index}_pool")(x)
    return x


def build_model(config, class_names, image_size, batchnorm_momentum=0.99):
    """The classifier for `config.model`; weights from ImageNet, a local file, or none."""
    model_config = config.model
    inputs = keras.Input((None, None, 3), name="image")
    x = layers.Resizing(image_size, image_size, name="resize")(inputs)
    if model_config.backbone == "small_cnn":
        x = layers.Rescaling(1.0 / 255, name="preprocess")(x)
        features = small_cnn(x, model_config.blocks, batchnorm_momentum)
    else:
        x = backbones.preprocess(model_config.backbone, x)
        weights = model_config.weights if model_config.weights.endswith((".h5", "imagenet")) else None
        features = backbones.build_application(model_config.backbone, x, weights).output
    x = layers.GlobalAveragePooling2D(name="pool")(features)
    x = layers.Dropout(model_config.dropout, name="dropout")(x)
    x = layers.Dense(len(class_names), name="logits")(x)
    x = layers.Activation("softmax", dtype="float32", name="probabilities")(x)
    outputs = LabelMap(class_names, name="labels", dtype="float32")(x)
    model = keras.Model(inputs, outputs, name=f"{model_config.backbone}_classifier")
    if model_config.weights.endswith(".keras"):
        backbones.copy_weights_by_name(backbone_layers(model), model_config.weights)
    return model


def backbone_layers(model):
    """The backbone's layers in order: everything between the preprocessing and the head."""
    return [layer for layer in model.layers if layer.name not in HEAD]


def set_trainable(model, phase, unfreeze_top=0):
    """Freezes the backbone for phase `head`, unfreezes its top `unfreeze_top` layers for `finetune`."""
    backbones.set_trainable(model, backbone_layers(model), phase, unfreeze_top)


def example_model(config, num_classes):
    """The model `config` builds for `num_classes` classes, for the `summary` verb."""
    size = config.data.image_size if config.data.image_size != "auto" else 64
    return build_model(config, [f"class_{index}" for index in range(num_classes)], size)


def class_names_of(model):
    return model.get_layer("labels").class_names
