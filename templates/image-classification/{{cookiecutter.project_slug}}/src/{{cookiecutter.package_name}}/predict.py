"""Predictions for image files or folders -> a CSV of class and probability; Grad-CAM heat maps on request."""

import csv
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from PIL import Image

from .datasets.image_files import list_inputs
from .inference import predict_probabilities
from .model import backbone_layers, class_names_of
from .runtime.errors import UserError


def last_feature_map(model):
    """The backbone's last layer with a spatial (4-D) output: where Grad-CAM looks."""
    for layer in reversed(backbone_layers(model)):
        if len(layer.output.shape) == 4:
            return layer
    raise UserError("the model has no convolutional feature map for Grad-CAM")


def grad_cam(model, image, class_index):
    """A heat map in [0, 1] of where the evidence for `class_index` lies (Selvaraju et al., 2017)."""
    feature_layer = last_feature_map(model)
    probe = keras.Model(model.input, [feature_layer.output, model.get_layer("probabilities").output])
    with tf.GradientTape() as tape:
        features, probabilities = probe(image[None], training=False)
        target = probabilities[:, class_index]
    gradients = tape.gradient(target, features)
    weights = tf.reduce_mean(gradients, axis=(1, 2))
    cam = tf.nn.relu(tf.reduce_sum(features * weights[:, None, None, :], axis=-1))[0]
    cam = cam / (tf.reduce_max(cam) + 1e-8)
    return cam.numpy()


def overlay(image, heat_map, alpha=0.45):
    """The picture with the heat map in a jet colour map laid over it, uint8 RGB."""
    import matplotlib

    colours = matplotlib.colormaps["jet"]
    heat = Image.fromarray(np.uint8(heat_map * 255)).resize(image.size, Image.BILINEAR)
    heat = colours(np.asarray(heat) / 255.0)[..., :3] * 255
    return np.uint8((1 - alpha) * np.asarray(image.convert("RGB"), dtype=np.float32) + alpha * heat)


def predict(run, inputs, output, explain=False, batch_size=32, top_k=3):
    model = keras.saving.load_model(run.file("model.keras"))
    class_names = class_names_of(model)
    paths = list_inputs(inputs)
    probabilities = predict_probabilities(model, paths, batch_size)
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    table = output / "predictions.csv"
    top_k = min(top_k, len(class_names))
    with open(table, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "class", "probability", f"top_{top_k}"])
        for path, row in zip(paths, probabilities, strict=True):
            ranked = np.argsort(-row)[:top_k]
            best = int(ranked[0])
            writer.writerow(
                [
                    path,
                    class_names[best],
                    f"{row[best]:.6f}",
                    " ".join(f"{class_names[i]}:{row[i]:.3f}" for i in ranked),
                ]
            )
            print(f"{class_names[best]:<16} {row[best]:.3f}  {path}")
            if explain:
                with Image.open(path) as picture:
                    picture = picture.convert("RGB")
                    pixels = np.asarray(picture, dtype=np.float32)
                    heat_map = grad_cam(model, pixels, best)
                    Image.fromarray(overlay(picture, heat_map)).save(output / f"gradcam_{Path(path).stem}.png")
    print(f"wrote {table}" + (f" and Grad-CAM heat maps to {output}" if explain else ""))
    return table
