"""Sentences in, sentences out: the tokenizers, the model and the decoding strategy in one graph function.

`Translator.translate_strings` is the whole path from a batch of source strings to target strings:
tokenize, cut to the trained length, encode, decode step by step (greedy or beam), detokenize. The
epoch callback, `evaluate`, `predict` and the exported SavedModel all call this one function, so a
served translation is the translation `predict` wrote.

    translator = Translator(model, source_tokenizer, target_tokenizer, lengths, config.decode)
    translator.translate(["the third of may, nineteen ninety"])  # -> ["1990-05-03"]
"""

import keras
import numpy as np
import tensorflow as tf

from . import tokenizers
from .model import END, PAD, START, sampler
from .runtime.files import read_json, write_json


class Translator:
    def __init__(self, model, source_tokenizer, target_tokenizer, lengths, decode_config):
        self.model = model
        self.source_tokenizer, self.target_tokenizer = source_tokenizer, target_tokenizer
        self.max_source, self.max_target = lengths
        self.sampler = sampler(decode_config.strategy, decode_config.beam_width)
        self.translate_strings = tf.function(self._translate_strings, reduce_retracing=True,
                                             input_signature=[tf.TensorSpec([None], tf.string)])

    def source_ids(self, sentences):
        """Token ids `[batch, longest <= max_source]`, padded with PAD."""
        ragged = self.source_tokenizer(sentences)
        return ragged[:, :self.max_source].to_tensor(default_value=PAD)

    def _translate_strings(self, sentences):
        ids = self.model.generate(self.source_ids(sentences), self.sampler, self.max_target + 1)
        return {"translation": self.target_tokenizer.detokenize(ids), "token_ids": ids}

    def translate(self, sentences, batch_size=64, progress=False):
        """`(translations, target ids)` for a list of sentences, in batches, with a progress bar if asked."""
        bar = keras.utils.Progbar(len(sentences), unit_name="sentence") if progress else None
        texts, ids = [], []
        for start in range(0, len(sentences), batch_size):
            batch = self.translate_strings(tf.constant(sentences[start:start + batch_size]))
            texts += [text.decode("utf-8") for text in batch["translation"].numpy()]
            ids += list(batch["token_ids"].numpy())
            if bar is not None:
                bar.add(len(sentences[start:start + batch_size]))
        return texts, ids

    def attention(self, sentence, target_ids):
        """`(weights [target, source], source tokens, target tokens)` for one sentence and its translation ids,
        or None when the model has no attention: a teacher-forced pass over the decoded tokens reproduces the
        alignment each decoding step computed."""
        source = tokenizers.tokenized(self.source_tokenizer, [sentence])[0][:self.max_source][None]
        target = np.asarray(target_ids)
        target = target[:np.argmax(np.isin(target, (END, PAD)))] if np.isin(target, (END, PAD)).any() else target
        target_in = np.concatenate([[START], target])[None].astype("int32")
        weights = self.model.attention_weights(source, target_in)
        if weights is None:
            return None
        source_tokens = [self.source_tokenizer.id_to_token(int(i)) for i in source[0]]
        target_tokens = [self.target_tokenizer.id_to_token(int(i)) for i in target] + ["</s>"]
        return np.asarray(weights)[0, :len(target_tokens), :len(source_tokens)], source_tokens, target_tokens


def save_lengths(folder, lengths):
    write_json(folder / "lengths.json", {"max_source_tokens": lengths[0], "max_target_tokens": lengths[1]})


def load_translator(run, decode_config):
    """The Translator of a finished run: its best model, its tokenizers and the lengths it was trained with."""
    model = keras.saving.load_model(run.file("model.keras"), compile=False)
    folder = run.file("vocabulary")
    source, target = tokenizers.load(folder / "source.model"), tokenizers.load(folder / "target.model")
    lengths = read_json(folder / "lengths.json")
    return Translator(model, source, target, (lengths["max_source_tokens"], lengths["max_target_tokens"]),
                      decode_config)
