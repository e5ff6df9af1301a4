"""The classifier: raw pixels in, class probabilities out, preprocessing and label map inside.

    image (any size, 0-255) -> Resizing -> backbone preprocessing -> backbone -> pooling -> dropout
    -> Dense softmax -> LabelMap (carries the class names)

Backbones come from `keras.applications` (transfer learning) or are a small CNN built from the
config's blocks (training from scratch). The backbone's layers sit in the model itself, not nested,
so Grad-CAM can reach any of them and fine-tuning can unfreeze the top N.
"""

import keras
from keras import layers, ops

from .runtime.errors import UserError


@keras.saving.register_keras_serializable(package="{{ cookiecutter.package_name }}")
class CaffePreprocessing(layers.Layer):
    """RGB [0, 255] -> BGR minus the ImageNet channel means: the input ResNet50 and VGG16 were trained on.

    >>> CaffePreprocessing()(keras.ops.ones((1, 2, 2, 3)) * 255.0).shape
    (1, 2, 2, 3)
    """

    MEAN_BGR = (103.939, 116.779, 123.68)

    def call(self, images):
        return ops.flip(images, axis=-1) - ops.convert_to_tensor(self.MEAN_BGR, dtype=images.dtype)


@keras.saving.register_keras_serializable(package="{{ cookiecutter.package_name }}")
class LabelMap(layers.Layer):
    """Passes probabilities through unchanged and keeps the class names in the saved model.

    >>> LabelMap(["cat", "dog"]).class_names
    ['cat', 'dog']
    """

    def __init__(self, class_names, **kwargs):
        super().__init__(**kwargs)
        self.class_names = list(class_names)

    def call(self, probabilities):
        return probabilities

    def get_config(self):
        return {**super().get_config(), "class_names": self.class_names}


# name -> (constructor, preprocessing for 0-255 RGB input)
APPLICATIONS = {
    "mobilenet_v3_small": (lambda **kw: keras.applications.MobileNetV3Small(include_preprocessing=True, **kw), None),
    "efficientnet_v2_b0": (lambda **kw: keras.applications.EfficientNetV2B0(include_preprocessing=True, **kw), None),
    "resnet50": (keras.applications.ResNet50, CaffePreprocessing),
    "vgg16": (keras.applications.VGG16, CaffePreprocessing),
    "convnext_tiny": (lambda **kw: keras.applications.ConvNeXtTiny(include_preprocessing=True, **kw), None),
}
HEAD = ("image", "resize", "preprocess", "pool", "dropout", "logits", "probabilities", "labels")


def small_cnn(x, blocks, batchnorm_momentum):
    """Conv -> BatchNorm -> ReLU -> pooling per block; each knob of a block is in the config."""
    for index, block in enumerate(blocks, start=1):
        x = layers.Conv2D(block.filters, block.kernel_size, strides=block.stride, padding=block.padding,
                          use_bias=False, name=f"block{index}_conv")(x)
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
        constructor, preprocessing = APPLICATIONS[model_config.backbone]
        if preprocessing is not None:
            x = preprocessing(name="preprocess")(x)
        weights = model_config.weights if model_config.weights.endswith((".h5", "imagenet")) else None
        features = _application(constructor, x, weights, model_config).output
    x = layers.GlobalAveragePooling2D(name="pool")(features)
    x = layers.Dropout(model_config.dropout, name="dropout")(x)
    x = layers.Dense(len(class_names), name="logits")(x)
    x = layers.Activation("softmax", dtype="float32", name="probabilities")(x)
    outputs = LabelMap(class_names, name="labels", dtype="float32")(x)
    model = keras.Model(inputs, outputs, name=f"{model_config.backbone}_classifier")
    if model_config.weights.endswith(".keras"):
        transfer_backbone_weights(model, model_config.weights)
    return model


def _application(constructor, x, weights, model_config):
    try:
        return constructor(include_top=False, weights=weights, input_tensor=x)
    except Exception as error:  # Keras raises a bare Exception when the download fails
        if weights == "imagenet" and ("URL fetch failure" in str(error) or "urlopen" in str(error).lower()):
            raise UserError(
                f"could not download the ImageNet weights of {model_config.backbone} ({error}). Offline? Set "
                f"model.weights=none to train from scratch, or model.weights=<path> to a local weights file") from None
        if weights not in (None, "imagenet"):
            raise UserError(f"model.weights {weights}: not weights of {model_config.backbone} without its top "
                            f"({type(error).__name__}: {error})") from None
        raise


def backbone_layers(model):
    """The backbone's layers in order: everything between the preprocessing and the head."""
    return [layer for layer in model.layers if layer.name not in HEAD]


def transfer_backbone_weights(model, source_path):
    """Copies backbone weights, layer by layer name, from a `.keras` model of an earlier run."""
    source = keras.saving.load_model(source_path, compile=False)
    source_layers = {layer.name: layer for layer in source.layers}
    copied = 0
    for layer in backbone_layers(model):
        if layer.name in source_layers and layer.weights:
            try:
                layer.set_weights(source_layers[layer.name].get_weights())
            except ValueError as error:
                raise UserError(f"model.weights {source_path}: layer {layer.name} does not match ({error})") from None
            copied += 1
    if copied == 0:
        raise UserError(f"model.weights {source_path}: no backbone layer matches; is it the same backbone?")


def set_trainable(model, phase, unfreeze_top=0):
    """Phase `scratch`: every layer trains. `head`: the backbone is frozen. `finetune`: its top
    `unfreeze_top` layers train too. Frozen BatchNorm layers run in inference mode in Keras 3, and
    BatchNorm stays frozen in fine-tuning, as the Keras transfer-learning guide advises."""
    backbone = backbone_layers(model)
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


def class_names_of(model):
    return model.get_layer("labels").class_names


def layer_table(model):
    """`(name, output shape, parameters)` rows, for the `summary` verb."""
    rows = []
    for layer in model.layers:
        shape = layer.output.shape if hasattr(layer, "output") else None
        rows.append((layer.name, tuple(shape) if shape is not None else None, layer.count_params()))
    return rows
