"""Attention made visible: for one text, where each token looked in every head of every layer.

keras-hub's transformer layers do not hand out their attention weights from a backbone's forward pass, so they are
recomputed here from each layer's own input and its query and key projections: softmax(q k^T / sqrt(d)) over the
keys, with the padding masked, and for a GPT's decoder layers the future masked too (causal). Rows are the
attending tokens, columns the tokens attended to; each row sums to 1. A head that learnt something shows
structure (a diagonal offset by one: "the previous token"; a column: "[CLS]" or "the negation").

    maps = attention_maps(backbone, token_ids, padding_mask)   # [layers, heads, tokens, tokens]
    image = draw_attention(maps, ["[CLS]", "not", "bad", "[SEP]"], run.file("attention.png"), "epoch 3")
    log_attention(run.logs, "attention", image, step=3)
"""

import keras
import keras_hub
import numpy as np
from keras import ops

from .callbacks import tensorboard as board
from .callbacks.tensorboard import figure_to_image

LONGEST_DRAWN = 48  # tokens: longer texts are drawn up to here, so the labels stay readable


def transformer_layers(backbone):
    """The backbone's transformer layers (encoder or decoder), in order."""
    kinds = (keras_hub.layers.TransformerEncoder, keras_hub.layers.TransformerDecoder)
    return [layer for layer in backbone.layers if isinstance(layer, kinds)]


def attention_maps(backbone, token_ids, padding_mask):
    """Attention weights `[layers, heads, tokens, tokens]` of one text (`token_ids`, `padding_mask`: 1-D) in a
    keras-hub BertBackbone or GPT2Backbone; padded positions are cut off."""
    token_ids = np.asarray(token_ids, "int32")[None]
    padding_mask = np.asarray(padding_mask).astype(bool)[None]
    layers = transformer_layers(backbone)
    inputs = {"token_ids": token_ids, "padding_mask": padding_mask.astype("int32")}
    if "segment_ids" in backbone.input:
        inputs["segment_ids"] = np.zeros_like(token_ids)
    layer_inputs = keras.Model(backbone.input, [layer.input[0] for layer in layers])(inputs)
    if len(layers) == 1:
        layer_inputs = [layer_inputs]
    maps = [_layer_attention(layer, hidden, padding_mask) for layer, hidden in zip(layers, layer_inputs, strict=True)]
    length = int(padding_mask.sum())
    return np.stack(maps)[:, :, :length, :length]


def _layer_attention(layer, hidden, padding_mask):
    """`[heads, tokens, tokens]`: the self-attention weights `layer` computes from its input `hidden`."""
    attention = layer._self_attention_layer
    if layer.normalize_first:  # pre-norm layers (GPT-2) attend over the normalised input
        hidden = layer._self_attention_layer_norm(hidden)
    query = attention._query_dense(hidden) / np.sqrt(attention._key_dim)  # [1, tokens, heads, size]
    key = attention._key_dense(hidden)
    logits = ops.einsum("bqhd,bkhd->bhqk", query, key)
    allowed = padding_mask[:, None, None, :]
    if isinstance(layer, keras_hub.layers.TransformerDecoder):
        tokens = padding_mask.shape[1]
        allowed = allowed & np.tril(np.ones((tokens, tokens), bool))[None, None]
    weights = ops.softmax(ops.where(allowed, ops.cast(logits, "float32"), -1e9), axis=-1)
    return ops.convert_to_numpy(weights)[0]


def draw_attention(maps, tokens, path=None, title=None):
    """`maps [layers, heads, tokens, tokens]` as a grid of labelled heat maps (a row per layer, a column per head);
    written to `path` as PNG when given. Returns the picture, a uint8 RGB array."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    maps = np.asarray(maps)[:, :, :LONGEST_DRAWN, :LONGEST_DRAWN]
    tokens = list(tokens)[:LONGEST_DRAWN]
    layers, heads = maps.shape[:2]
    if maps.shape[2] != len(tokens):
        raise ValueError(f"attention over {maps.shape[2]} tokens, but {len(tokens)} token labels")
    side = 0.9 + 0.17 * len(tokens)
    figure, axes = plt.subplots(layers, heads, figsize=(side * heads, side * layers + 0.4), squeeze=False)
    for layer in range(layers):
        for head in range(heads):
            axis = axes[layer, head]
            axis.imshow(maps[layer, head], cmap="viridis", vmin=0.0, vmax=1.0)
            axis.set_xticks(range(len(tokens)), tokens, rotation=90, fontsize=6)
            axis.set_yticks(range(len(tokens)), tokens if head == 0 else [], fontsize=6)
            axis.set_title(f"layer {layer + 1}, head {head + 1}", fontsize=7)
    if title:
        figure.suptitle(title, fontsize=9)
    figure.tight_layout()
    image = figure_to_image(figure)
    if path is not None:
        from PIL import Image

        Image.fromarray(image).save(path)
    return image


def log_attention(log_dir, name, image, step):
    """The picture of `draw_attention` in TensorBoard's images, as `name` at `step`."""
    board.log_image(log_dir, name, image, step=step)
