"""The optimizers a config names, with gradient clipping as an option."""

import keras


def make_optimizer(name, learning_rate, clip_norm=0.0):
    """`adam | adamw | sgd` (SGD with Nesterov momentum 0.9); `clip_norm` > 0 clips the gradients' global norm."""
    clipping = {"global_clipnorm": clip_norm} if clip_norm > 0 else {}
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate, momentum=0.9, nesterov=True, **clipping)
    if name == "adamw":
        return keras.optimizers.AdamW(learning_rate, **clipping)
    return keras.optimizers.Adam(learning_rate, **clipping)
