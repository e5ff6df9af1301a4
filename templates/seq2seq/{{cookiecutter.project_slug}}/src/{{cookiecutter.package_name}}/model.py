"""The sequence-to-sequence models: a recurrent encoder-decoder with attention (`recurrent.py`), and a
Transformer (`transformer.py`).

Both read source token ids (or, captioning, a picture: see `image_encoder.py`) and, in training, the
target shifted right by one (teacher forcing: the decoder sees the true previous token, not its own
guess), and return logits over the target vocabulary at every target position. To translate they
decode one token at a time, by the loop they share (`decoding.py`).

    model = build_model(config.model, source_vocabulary=400, target_vocabulary=20)
    logits = model({"source": source_ids, "target_in": target_in_ids})
    target_ids = model.generate(source_ids, keras_hub.samplers.GreedySampler(), max_length=12)
"""

import keras
from keras import ops

from .recurrent import RecurrentSeq2Seq
from .transformer import TransformerSeq2Seq


def build_model(model_config, source_vocabulary, target_vocabulary, image_size=None):
    """The configured architecture, built by one call on a small batch so its weights exist. With `image_size`
    it is a captioner: its source is a picture of that size, read by the configured `model.image_encoder`."""
    image_encoder = None if image_size is None else model_config.image_encoder_options(image_size)
    if model_config.architecture == "transformer":
        model = TransformerSeq2Seq(
            source_vocabulary, target_vocabulary, image_encoder=image_encoder, **model_config.transformer_options()
        )
    else:
        model = RecurrentSeq2Seq(
            source_vocabulary, target_vocabulary, image_encoder=image_encoder, **model_config.recurrent_options()
        )
    source = ops.ones((1, 2), "int32") if image_size is None else ops.zeros((1, image_size, image_size, 3))
    model({"source": source, "target_in": ops.ones((1, 2), "int32")})
    return model


def load_model(path):
    """A saved model of either architecture, uncompiled. Keras rebuilds it by the class names this module's imports
    registered, so loading goes through here."""
    return keras.saving.load_model(path, compile=False)


def example_model(config, vocabulary):
    """The configured model for `summary`, with `vocabulary` tokens on each side (or pictures as the source)."""
    if config.data.source == "image":
        size = config.data.image_size if config.data.image_size != "auto" else 64
        return build_model(config.model, None, vocabulary, image_size=size)
    return build_model(config.model, vocabulary, vocabulary)
