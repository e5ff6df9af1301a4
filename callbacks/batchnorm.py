"""BatchNorm statistics re-estimated before every validation: the small-data fix for BatchNorm.

BatchNorm normalises with batch statistics in training and with moving averages at inference. When
the weights change quickly and an epoch has few steps, the moving averages trail behind the weights:
validation accuracy swings or sits near chance while training accuracy climbs (keras issues 9214,
10045, 10214). Re-estimating the averages from a few training batches with the current weights,
as "precise BN" does, makes validation measure the model that was actually trained.
"""

import keras

from ..runtime import processes


def trainable_batchnorm_layers(layer):
    """Trainable BatchNormalization layers, nested models included; frozen ones keep their statistics."""
    found = []
    for child in getattr(layer, "layers", []):
        if isinstance(child, keras.layers.BatchNormalization):
            if child.trainable:
                found.append(child)
        else:
            found += trainable_batchnorm_layers(child)
    return found


def recalibrate(model, batches):
    """Sets each trainable BatchNorm layer's moving mean and variance to the average over `batches`.

    With momentum 1 - 1/i at the i-th batch, Keras' moving-average update becomes a running mean. Several processes
    keep process 0's averages.
    """
    layers = trainable_batchnorm_layers(model)
    saved = [layer.momentum for layer in layers]
    try:
        for index, batch in enumerate(batches, start=1):
            for layer in layers:
                layer.momentum = 1.0 - 1.0 / index
            model(batch[0] if isinstance(batch, tuple) else batch, training=True)
    finally:
        for layer, momentum in zip(layers, saved, strict=True):
            layer.momentum = momentum
    processes.same_as_process_0([weight for layer in layers for weight in (layer.moving_mean, layer.moving_variance)])


class BatchNormCalibration(keras.callbacks.Callback):
    """Re-estimates BatchNorm moving statistics from `batches` training batches before each validation.

    Example:

    >>> model.fit(train, validation_data=val, callbacks=[BatchNormCalibration(train, batches=10)])
    """

    def __init__(self, dataset, batches=10):
        super().__init__()
        self.dataset = dataset
        self.batches = batches

    def on_test_begin(self, logs=None):
        if trainable_batchnorm_layers(self.model):
            recalibrate(self.model, self.dataset.take(self.batches))
