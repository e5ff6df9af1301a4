"""The recurrent encoder-decoder with attention over the source words (or a picture's regions) at each step."""

import keras
from keras import layers, ops

from .decoding import Seq2Seq
from .image_encoder import ImageEncoder, saved_image_encoder
from .runtime.backbones import SERIALIZATION_PACKAGE
from .tokenizers import PAD

CELLS = {"lstm": layers.LSTM, "gru": layers.GRU, "simple_rnn": layers.SimpleRNN}


def _rnn(cell, units, **options):
    return CELLS[cell](units, return_sequences=True, return_state=True, **options)


@keras.saving.register_keras_serializable(package=SERIALIZATION_PACKAGE)
class RecurrentSeq2Seq(Seq2Seq):
    """An RNN encoder-decoder, optionally with attention over the encoder outputs at each decoder step.

    Attention follows Luong: the decoder's current state is the query, the alignment scores over the
    source positions go through a softmax, their weighted sum of encoder outputs is the context vector,
    and `tanh(W [context; state])` feeds the output layer. `attention="additive"` scores with Bahdanau's
    `v . tanh(W query + U key)`, `"dot"` with Luong's general `query . (W key)`, `"none"` has the
    decoder start from the encoder's final state and see nothing else of the source.

    With `image_encoder` (the options of `ImageEncoder`) it captions pictures: the regions of a picture take
    the place of the encoder's outputs, and the decoder starts from their mean (Show, Attend and Tell).

    >>> model = RecurrentSeq2Seq(source_vocabulary=50, target_vocabulary=20, units=32)
    >>> model({"source": keras.ops.ones((2, 7), "int32"), "target_in": keras.ops.ones((2, 5), "int32")}).shape
    (2, 5, 20)
    """

    def __init__(
        self,
        source_vocabulary,
        target_vocabulary,
        cell="gru",
        units=128,
        num_layers=1,
        bidirectional=True,
        attention="additive",
        embedding_dim=64,
        dropout=0.1,
        image_encoder=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.source_vocabulary, self.target_vocabulary = source_vocabulary, target_vocabulary
        self.cell, self.units, self.num_layers = cell, units, num_layers
        self.bidirectional, self.attention, self.embedding_dim, self.dropout = (
            bidirectional,
            attention,
            embedding_dim,
            dropout,
        )
        self.image_encoder_options = image_encoder
        self.states_per_layer = 2 if cell == "lstm" else 1
        decoder_states = num_layers * self.states_per_layer
        if image_encoder is not None:  # captioning: the regions of a picture are the source
            self.image_encoder = ImageEncoder(units=units, dropout=dropout, **image_encoder, name="image_encoder")
            # Show, Attend and Tell: the decoder starts from the mean region, one tanh Dense per state.
            self.bridges = [layers.Dense(units, activation="tanh", name=f"bridge_{i}") for i in range(decoder_states)]
        else:
            self.source_embedding = layers.Embedding(source_vocabulary, embedding_dim, name="source_embedding")
            self.encoder_layers = [
                layers.Bidirectional(_rnn(cell, units), name=f"encoder_{i}")
                if bidirectional
                else _rnn(cell, units, name=f"encoder_{i}")
                for i in range(num_layers)
            ]
            # A bidirectional encoder ends in two states per layer (one per direction): one Dense maps them to one.
            self.bridges = (
                [layers.Dense(units, activation="tanh", name=f"bridge_{i}") for i in range(decoder_states)]
                if bidirectional
                else []
            )
        self.target_embedding = layers.Embedding(target_vocabulary, embedding_dim, name="target_embedding")
        self.decoder_layers = [_rnn(cell, units, name=f"decoder_{i}") for i in range(num_layers)]
        self.embedding_dropout = layers.Dropout(dropout)
        if attention != "none":
            self.keys = layers.Dense(units, use_bias=False, name="attention_keys")
            self.queries = (
                layers.Dense(units, use_bias=False, name="attention_queries") if attention == "additive" else None
            )
            self.alignment = (
                layers.AdditiveAttention(name="alignment")
                if attention == "additive"
                else layers.Attention(name="alignment")
            )
            self.combine = layers.Dense(units, activation="tanh", name="attentional_state")
        self.output_dropout = layers.Dropout(dropout)
        self.logits = layers.Dense(target_vocabulary, name="logits")

    def encode(self, source, max_length=None, training=False):
        """The source read once: `memory` (encoder outputs), its attention `keys`, mask, decoder start states."""
        if self.image_encoder_options is not None:
            sequence = self.image_encoder(source, training=training)
            mask = ops.ones(ops.shape(sequence)[:2], "bool")
            pooled = ops.mean(sequence, axis=1)
            states = [bridge(pooled) for bridge in self.bridges]
        else:
            sequence, mask, states = self._read_text(source, training)
        cache = {"states": tuple(states), "source_mask": mask}
        if self.attention != "none":
            cache.update(memory=sequence, keys=self.keys(sequence))
        return cache

    def _read_text(self, source, training):
        """Source ids -> (encoder outputs, mask, the decoder's start states)."""
        mask = source != PAD
        sequence = self.embedding_dropout(self.source_embedding(source), training=training)
        states = []
        for layer in self.encoder_layers:
            sequence, *final = layer(sequence, mask=mask, training=training)
            if self.bidirectional:  # forward states then backward ones: paired per component (h, and c for LSTM)
                count = self.states_per_layer
                final = [ops.concatenate([final[j], final[count + j]], axis=-1) for j in range(count)]
            states += final
        states = [bridge(state) for bridge, state in zip(self.bridges, states, strict=True)] if self.bridges else states
        return sequence, mask, states

    def _decode(self, target_in, cache, training=False):
        """Decoder over `target_in` from the cached states -> (logits, new states, attention weights or None)."""
        sequence = self.embedding_dropout(self.target_embedding(target_in), training=training)
        mask = target_in != PAD
        states, new_states = list(cache["states"]), []
        for i, layer in enumerate(self.decoder_layers):
            layer_states = states[i * self.states_per_layer : (i + 1) * self.states_per_layer]
            sequence, *final = layer(sequence, initial_state=layer_states, mask=mask, training=training)
            new_states += final
        weights = None
        if self.attention != "none":
            queries = sequence if self.queries is None else self.queries(sequence)
            context, weights = self.alignment(
                [queries, cache["memory"], cache["keys"]],
                mask=[None, cache["source_mask"]],
                return_attention_scores=True,
            )
            sequence = self.combine(ops.concatenate([context, sequence], axis=-1))
        return self.logits(self.output_dropout(sequence, training=training)), tuple(new_states), weights

    def call(self, inputs, training=False):
        logits, _, _ = self._decode(inputs["target_in"], self.encode(inputs["source"], training=training), training)
        return logits

    def attention_weights(self, source, target_in):
        """`[batch, target, source]` alignment weights of a teacher-forced pass (None without attention)."""
        return self._decode(target_in, self.encode(source))[2]

    def decode_step(self, token, cache, index):
        """One target token `[batch, 1]` -> logits `[batch, vocabulary]` and the cache with the new states."""
        logits, states, _ = self._decode(token, cache)
        return logits[:, 0, :], {**cache, "states": states}

    def get_config(self):
        return {
            **super().get_config(),
            "source_vocabulary": self.source_vocabulary,
            "target_vocabulary": self.target_vocabulary,
            "cell": self.cell,
            "units": self.units,
            "num_layers": self.num_layers,
            "bidirectional": self.bidirectional,
            "attention": self.attention,
            "embedding_dim": self.embedding_dim,
            "dropout": self.dropout,
            "image_encoder": saved_image_encoder(self.image_encoder_options),
        }
