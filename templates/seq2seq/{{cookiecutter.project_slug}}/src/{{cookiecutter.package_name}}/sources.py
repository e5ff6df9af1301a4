"""What the model reads: sentences (translation) or pictures (captioning).

A source turns the user's items (sentences, or image paths) into the strings a graph function takes
(the sentences, or the encoded image files), and those strings into the model's input (token ids, or
pixels resized to the trained size), the same way in training, `predict` and the exported SavedModel.
It also draws where the model looked: a token-by-token heat map, or the picture lit up per word.

    source = TextSource(tokenizer, max_tokens=40)       # or ImageSource(image_size=64)
    ids = source.model_input(tf.constant(source.strings(["the third of may"])))  # in a tf.function
"""

import math
from pathlib import Path

import numpy as np
import tensorflow as tf

from . import tokenizers
from .attention_pictures import attention_image, picture_attention_image
from .datasets.pipeline import decode_image, decode_image_bytes
from .tokenizers import PAD


def ragged(rows):
    """Arrays of different lengths as one RaggedTensor, whose dataset slices are the rows."""
    return tf.RaggedTensor.from_row_lengths(np.concatenate(rows), [len(row) for row in rows])


class TextSource:
    """Sentences, tokenized and cut to `max_tokens`."""

    signature_name = "sentences"

    def __init__(self, tokenizer, max_tokens):
        self.tokenizer, self.max_tokens = tokenizer, max_tokens

    def strings(self, sentences):
        return list(sentences)

    def model_input(self, strings):
        """Token ids `[batch, longest <= max_tokens]`, padded with PAD (graph mode: the tokenizer is ragged there)."""
        return self.tokenizer(strings)[:, : self.max_tokens].to_tensor(default_value=PAD)

    def training_input(self, sentences):
        """`(token ids, a ragged row per sentence cut to max_tokens, which sentences were cut)`."""
        token_lists = tokenizers.tokenized(self.tokenizer, sentences)
        cut = np.array([len(ids) > self.max_tokens for ids in token_lists], bool)
        return ragged([np.asarray(ids[: self.max_tokens], "int32") for ids in token_lists]), cut

    def decode(self, ids):
        return ids  # tokenized once, before training

    def decoded_bytes(self, count):
        return 0  # the ids are in memory already

    def shape(self):
        return {"max_source_tokens": self.max_tokens}

    def model_arguments(self):
        return {"source_vocabulary": self.tokenizer.vocabulary_size()}

    def tokenizers(self):
        return [self.tokenizer]

    def describe(self):
        return f"source vocabulary {self.tokenizer.vocabulary_size()} up to {self.max_tokens} tokens"

    def attention_picture(self, model_input, weights, target_tokens, title):
        source_tokens = [self.tokenizer.id_to_token(int(i)) for i in model_input if i != PAD]
        return attention_image(weights[:, : len(source_tokens)], source_tokens, target_tokens, title=title)


class ImageSource:
    """Pictures, decoded and resized to `image_size` square, as float32 RGB in [0, 255]."""

    signature_name = "images"

    def __init__(self, image_size):
        self.image_size = image_size

    def strings(self, paths):
        """The encoded files (JPEG, PNG, BMP, GIF) themselves: what a served model receives."""
        return [Path(path).read_bytes() for path in paths]

    def model_input(self, strings):
        return tf.map_fn(
            lambda data: decode_image_bytes(data, (self.image_size, self.image_size)),
            strings,
            fn_output_signature=tf.TensorSpec((self.image_size, self.image_size, 3), tf.float32),
        )

    def training_input(self, paths):
        """`(paths, none cut)`: pictures are decoded in the tf.data pipeline (`decode`); none is ever cut."""
        return np.asarray(paths, dtype=object), np.zeros(len(paths), bool)

    def decode(self, path):
        return decode_image(path, (self.image_size, self.image_size))

    def decoded_bytes(self, count):
        return count * self.image_size**2 * 3 * 4  # float32 RGB

    def shape(self):
        return {"image_size": self.image_size}

    def model_arguments(self):
        return {"source_vocabulary": None, "image_size": self.image_size}

    def tokenizers(self):
        return []

    def describe(self):
        return f"pictures at {self.image_size} x {self.image_size} px"

    def attention_picture(self, model_input, weights, target_tokens, title):
        side = math.isqrt(weights.shape[-1])  # pictures are square, so is their grid of regions
        grid = weights.reshape(len(weights), side, side)
        return picture_attention_image(model_input, grid, [token.lstrip("▁") for token in target_tokens], title=title)
