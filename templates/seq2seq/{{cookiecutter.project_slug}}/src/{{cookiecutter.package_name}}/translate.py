"""Sentences (or pictures) in, sentences out: source reading, the model and the decoding in one graph function.

`Translator.translate_strings` is the whole path from a batch of source strings to target strings:
tokenize and cut to the trained length (or decode and resize a picture), encode, decode step by step
(greedy or beam), detokenize. The epoch callback, `evaluate`, `predict` and the exported SavedModel all
call this one function, so a served translation is the translation `predict` wrote. On JAX, where a graph
function cannot hold the model, `translate` runs the same steps in three: tokenizing (TensorFlow), decoding
(compiled by JAX), detokenizing (TensorFlow). `write_attention` draws where the model looked, for `evaluate` and
`predict --attention`.

    translator = Translator(model, TextSource(source_tokenizer, 40), target_tokenizer, 12, config.decode)
    translator.translate(["the third of may, nineteen ninety"])  # -> (["1990-05-03"], [ids])
"""

import keras
import numpy as np
import tensorflow as tf

from . import tokenizers
from .callbacks import tensorboard as board
from .decoding import sampler
from .model import load_model
from .runtime import device
from .runtime.files import read_json, write_json
from .runtime.progress import bar as progress_bar
from .sources import ImageSource, TextSource
from .tokenizers import END, PAD, START


class Translator:
    def __init__(self, model, source, target_tokenizer, max_target_tokens, decode_config):
        self.model, self.source, self.target_tokenizer = model, source, target_tokenizer
        self.max_target = max_target_tokens
        self.sampler = sampler(decode_config.strategy, decode_config.beam_width)
        signature = [tf.TensorSpec([None], tf.string)]
        self.model_input = tf.function(source.model_input, input_signature=signature)
        if keras.backend.backend() == "jax":  # a TensorFlow graph cannot call a JAX model
            length = self.max_target + 1
            self.generate = device.jax_compiled(model, lambda ids: model.generate(ids, self.sampler, length))
            self.detokenize = tf.function(target_tokenizer.detokenize)  # a tensor of strings, not eager's list
            self.translate_strings = self._translate_on_jax
        else:
            self.translate_strings = tf.function(
                self._translate_strings, reduce_retracing=True, input_signature=signature
            )

    def _translate_strings(self, strings):
        ids = self.model.generate(self.source.model_input(strings), self.sampler, self.max_target + 1)
        return {"translation": self.target_tokenizer.detokenize(ids), "token_ids": ids}

    def _translate_on_jax(self, strings):
        ids = tf.constant(np.asarray(self.generate(self.model_input(strings).numpy())))
        return {"translation": self.detokenize(ids), "token_ids": ids}

    def translate(self, items, batch_size=64, progress=False):
        """`(translations, target ids)` for a list of sentences (or image paths), in batches, with a progress bar
        if asked."""
        bar = progress_bar(len(items), unit_name="item") if progress else None
        texts, ids = [], []
        for start in range(0, len(items), batch_size):
            batch = self.translate_strings(tf.constant(self.source.strings(items[start : start + batch_size])))
            texts += [text.decode("utf-8") for text in batch["translation"].numpy()]
            ids += list(batch["token_ids"].numpy())
            if bar is not None:
                bar.add(len(items[start : start + batch_size]))
        return texts, ids

    def attention_picture(self, item, target_ids, title):
        """Where the model looked for each token of its translation `target_ids` of one sentence (or picture), as
        an RGB array; None when the model has no attention. A teacher-forced pass over the decoded tokens
        reproduces the alignment each decoding step computed."""
        model_input = self.model_input(tf.constant(self.source.strings([item]))).numpy()
        target = np.asarray(target_ids)
        stops = np.isin(target, (END, PAD))
        target = target[: np.argmax(stops)] if stops.any() else target
        target_in = np.concatenate([[START], target])[None].astype("int32")
        weights = self.model.attention_weights(model_input, target_in)
        if weights is None:
            return None
        target_tokens = [self.target_tokenizer.id_to_token(int(i)) for i in target] + ["</s>"]
        return self.source.attention_picture(
            np.asarray(model_input)[0], np.asarray(weights)[0, : len(target_tokens)], target_tokens, title
        )


def write_attention(translator, sources, ids, folder, log_dir, tag, count):
    """Heat maps of the first `count` translations, as PNGs in `folder` and in TensorBoard's `log_dir` as
    `<tag>/<index>`; their paths (none without attention)."""
    written = []
    for index, (source, target_ids) in enumerate(zip(sources[:count], ids[:count], strict=True)):
        picture = translator.attention_picture(source, target_ids, title=source)
        if picture is None:
            return written
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"attention_{index:03d}.png"
        board.log_image(log_dir, f"{tag}/{index}", picture, png_path=path)
        written.append(path)
    return written


def save_shapes(folder, source, max_target_tokens):
    """The trained lengths (and picture size) beside the tokenizers, for `load_translator`."""
    write_json(folder / "shapes.json", {**source.shape(), "max_target_tokens": max_target_tokens})


def load_translator(run, decode_config):
    """The Translator of a finished run: its best model, its tokenizers and the shapes it was trained with."""
    model = load_model(run.file("model.keras"))
    folder = run.file("vocabulary")
    shapes = read_json(folder / "shapes.json")
    source = (
        ImageSource(shapes["image_size"])
        if "image_size" in shapes
        else TextSource(tokenizers.load(folder / "source.model"), shapes["max_source_tokens"])
    )
    return Translator(
        model, source, tokenizers.load(folder / "target.model"), shapes["max_target_tokens"], decode_config
    )
