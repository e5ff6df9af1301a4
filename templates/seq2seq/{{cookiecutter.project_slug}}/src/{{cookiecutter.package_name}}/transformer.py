"""The Transformer encoder-decoder (Vaswani et al., 2017) built from keras-hub's layers, with cached decoding.

Training runs the whole target at once: a causal mask lets position t see the target tokens up to t only.
Translation instead calls the decoder once per token, so the keys and values every decoder layer computed
for the earlier tokens are kept in a cache and only the new token's are computed (keras-hub's
`TransformerDecoder` splices them in at `index`). The cross-attention keys and values depend on the source
alone: `encode` projects them once per sentence.
"""

import keras
import keras_hub
from keras import layers, ops

from .decoding import Seq2Seq
from .image_encoder import ImageEncoder, saved_image_encoder
from .runtime.backbones import SERIALIZATION_PACKAGE
from .tokenizers import PAD


@keras.saving.register_keras_serializable(package=SERIALIZATION_PACKAGE)
class TransformerSeq2Seq(Seq2Seq):
    """A stack of `num_layers` self-attention encoder layers and as many causal decoder layers with cross-attention.

    Positions are sinusoidal (keras-hub's `SinePositionEncoding`): no weights, so any source or target length
    works, including lengths longer than any seen in training. PAD source tokens are masked out of both the
    encoder's self-attention and the decoder's cross-attention. With `image_encoder` (the options of
    `ImageEncoder`) the encoder layers read a picture's regions instead of source tokens.

    >>> model = TransformerSeq2Seq(source_vocabulary=50, target_vocabulary=20, hidden_dim=32, num_heads=2)
    >>> model({"source": keras.ops.ones((2, 7), "int32"), "target_in": keras.ops.ones((2, 5), "int32")}).shape
    (2, 5, 20)
    """

    def __init__(
        self,
        source_vocabulary,
        target_vocabulary,
        num_layers=2,
        hidden_dim=128,
        num_heads=4,
        intermediate_dim=256,
        dropout=0.1,
        image_encoder=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.source_vocabulary, self.target_vocabulary = source_vocabulary, target_vocabulary
        self.num_layers, self.hidden_dim, self.num_heads = num_layers, hidden_dim, num_heads
        self.intermediate_dim, self.dropout = intermediate_dim, dropout
        self.image_encoder_options = image_encoder
        if image_encoder is not None:  # captioning: the encoder layers read the picture's regions, not words
            self.image_encoder = ImageEncoder(units=hidden_dim, dropout=dropout, **image_encoder, name="image_encoder")
        else:
            self.source_embedding = layers.Embedding(source_vocabulary, hidden_dim, name="source_embedding")
        self.target_embedding = layers.Embedding(target_vocabulary, hidden_dim, name="target_embedding")
        self.positions = keras_hub.layers.SinePositionEncoding(name="positions")
        self.embedding_dropout = layers.Dropout(dropout)
        self.encoder_layers = [
            keras_hub.layers.TransformerEncoder(intermediate_dim, num_heads, dropout=dropout, name=f"encoder_{i}")
            for i in range(num_layers)
        ]
        self.decoder_layers = [
            keras_hub.layers.TransformerDecoder(intermediate_dim, num_heads, dropout=dropout, name=f"decoder_{i}")
            for i in range(num_layers)
        ]
        self.logits = layers.Dense(target_vocabulary, name="logits")

    def _embed(self, embedding, ids, start_index=0, training=False):
        # Scaled by sqrt(hidden_dim) as in the paper, so the tokens are not drowned by the unit-amplitude positions.
        x = embedding(ids) * self.hidden_dim**0.5
        return self.embedding_dropout(x + self.positions(x, start_index=start_index), training=training)

    def encode(self, source, max_length=None, training=False):
        """The source read once: `memory` (encoder outputs) and `source_mask`; with `max_length`, the decoding cache.

        The cache adds `self_attention`, `[batch, num_layers, 2 (keys, values), max_length, num_heads, head_dim]`,
        zeros until `decode_step` fills position `index`, and `cross_attention`, the same for the `source_length`
        encoder outputs, complete from the start.
        """
        if self.image_encoder_options is not None:
            memory = self.image_encoder(source, training=training)
            source_mask = ops.ones(ops.shape(memory)[:2], "bool")
        else:
            source_mask = source != PAD
            memory = self._embed(self.source_embedding, source, training=training)
        for layer in self.encoder_layers:
            memory = layer(memory, padding_mask=source_mask, training=training)
        cache = {"memory": memory, "source_mask": source_mask}
        if max_length is None:
            return cache
        batch, source_length = ops.shape(memory)[0], ops.shape(memory)[1]
        head_dim = self.hidden_dim // self.num_heads
        # Given an empty cross-attention cache and update index 0, keras-hub's decoder layer projects the whole
        # encoder output into it, as BART seeds its cache. Only that cache is kept: the token is a placeholder.
        placeholder = ops.zeros((batch, 1, self.hidden_dim), memory.dtype)
        empty = ops.zeros((batch, 2, source_length, self.num_heads, head_dim), memory.dtype)
        cross = [
            layer(
                placeholder,
                memory,
                encoder_padding_mask=source_mask,
                self_attention_cache=ops.zeros((batch, 2, 1, self.num_heads, head_dim), memory.dtype),
                self_attention_cache_update_index=0,
                cross_attention_cache=empty,
                cross_attention_cache_update_index=0,
            )[2]
            for layer in self.decoder_layers
        ]
        return {
            **cache,
            "cross_attention": ops.stack(cross, axis=1),
            "self_attention": ops.zeros(
                (batch, self.num_layers, 2, max_length, self.num_heads, head_dim), memory.dtype
            ),
        }

    def call(self, inputs, training=False):
        cache = self.encode(inputs["source"], training=training)
        # The causal mask is the only decoder mask: PAD only follows END, so no real position can see one, and
        # the PAD positions' outputs are the ones `decode_step` would give (the loss ignores them anyway).
        x = self._embed(self.target_embedding, inputs["target_in"], training=training)
        for layer in self.decoder_layers:
            x = layer(x, cache["memory"], encoder_padding_mask=cache["source_mask"], training=training)
        return self.logits(x)

    def decode_step(self, token, cache, index):
        """One target token `[batch, 1]` at position `index` -> logits `[batch, vocabulary]` and the updated cache."""
        x = self._embed(self.target_embedding, token, start_index=index)
        self_attention = []
        for i, layer in enumerate(self.decoder_layers):
            # The decoder layer demands `memory` as its encoder input, but reads the keys and values from the cache.
            x, layer_cache, _ = layer(
                x,
                cache["memory"],
                encoder_padding_mask=cache["source_mask"],
                self_attention_cache=cache["self_attention"][:, i],
                self_attention_cache_update_index=index,
                cross_attention_cache=cache["cross_attention"][:, i],
            )
            self_attention.append(layer_cache)
        return self.logits(x)[:, 0, :], {**cache, "self_attention": ops.stack(self_attention, axis=1)}

    def attention_weights(self, source, target_in):
        """`[batch, target, source]` cross-attention weights of the last decoder layer, averaged over its heads.

        `TransformerDecoder` does not return its attention scores, so this redoes the last layer's (post-norm)
        self-attention block with that layer's own sublayers and asks its cross-attention for the scores of that
        query. Those sublayers are private attributes of keras-hub's layer: a test checks them against what the
        layer really computes, so an upgrade that renames or reorders them fails there rather than silently.
        """
        cache = self.encode(source)
        x = self._embed(self.target_embedding, target_in)
        *lower, last = self.decoder_layers
        for layer in lower:
            x = layer(x, cache["memory"], encoder_padding_mask=cache["source_mask"])
        length = ops.shape(target_in)[1]
        causal = ops.arange(length)[:, None] >= ops.arange(length)[None, :]
        x = last._self_attention_layer_norm(x + last._self_attention_layer(x, x, attention_mask=causal[None]))
        _, scores = last._cross_attention_layer(
            x, cache["memory"], attention_mask=cache["source_mask"][:, None, :], return_attention_scores=True
        )
        return ops.mean(scores, axis=1)

    def get_config(self):
        return {
            **super().get_config(),
            "source_vocabulary": self.source_vocabulary,
            "target_vocabulary": self.target_vocabulary,
            "num_layers": self.num_layers,
            "hidden_dim": self.hidden_dim,
            "num_heads": self.num_heads,
            "intermediate_dim": self.intermediate_dim,
            "dropout": self.dropout,
            "image_encoder": saved_image_encoder(self.image_encoder_options),
        }
