"""Tokenizers trained on the training text of each side: subwords (BPE, unigram), words or characters.

All four are SentencePiece models, trained by the `sentencepiece` library and run by keras-hub's
`SentencePieceTokenizer`, inside tf.data and inside the exported SavedModel alike. SentencePiece keeps the
space as a symbol (▁), so detokenizing gives the text back exactly, in any script. Every model reserves
the ids below, which the data, the models and the decoding rely on: PAD 0, UNKNOWN 1, START 2, END 3. A
trained model is one small file, `<side>.model`, saved in the run folder, so a resumed run, `evaluate` and
`export` read the same one.

    tokenizer = load_or_train(run.file("vocabulary") / "source.model", sources, config.tokenizer.source)
    ids = tokenizer(["the third of may"])  # a ragged batch of ids
"""

import io

import keras_hub
import numpy as np
import sentencepiece
import tensorflow as tf
import tensorflow_text as tf_text

from .runtime import quiet
from .runtime.files import atomic_path, write_text

PAD, UNKNOWN, START, END = 0, 1, 2, 3  # reserved by every tokenizer: padding, unknown piece, start, end
MAX_AUTO_VOCABULARY = 8000
TRAINING_SENTENCES = 1_000_000  # SentencePiece trains on a random sample of this many lines at most


def auto_vocabulary_size(texts, lowercase=False):
    """The distinct words and characters of `texts`, at most 8000: word-like pieces on small data, subwords on
    large; SentencePiece may settle on fewer."""
    words, characters = set(), set()
    for text in texts:
        text = text.lower() if lowercase else text
        words.update(text.split())
        characters.update(text)
    return min(MAX_AUTO_VOCABULARY, len(words) + len(characters) + 4)


def train_proto(texts, side, normalise=True):
    """A SentencePiece model of kind `side.kind` trained on `texts`, as bytes.

    The source is NFKC-normalised (lowercased too when `side.lowercase`); the target keeps its characters as
    they are (`normalise=False`), so a translation can match its reference exactly.
    """
    size = side.vocabulary_size if side.vocabulary_size != "auto" else auto_vocabulary_size(texts, side.lowercase)
    rule = ("nmt_nfkc_cf" if side.lowercase else "nmt_nfkc") if normalise else "identity"
    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(texts),
        model_writer=model,
        model_type=side.kind,
        vocab_size=size,
        hard_vocab_limit=False,  # small data: a smaller vocabulary than asked for, not an error
        character_coverage=1.0,  # every character of the training text gets an id, in any script
        normalization_rule_name=rule,
        add_dummy_prefix=side.kind != "char",  # words: ▁ marks a word start
        pad_id=PAD,
        unk_id=UNKNOWN,
        bos_id=START,
        eos_id=END,
        input_sentence_size=TRAINING_SENTENCES,
        shuffle_input_sentence=True,
        minloglevel=2,
    )
    return model.getvalue()


class SentencePieceTokenizer(keras_hub.tokenizers.SentencePieceTokenizer):
    """keras-hub's tokenizer with its TensorFlow Text op named after the layer.

    Unnamed, two SentencePiece ops in one SavedModel share one model once reloaded: the exported translator
    detokenized its output with the source vocabulary.
    """

    def _set_proto_tf(self, proto):
        self._sentence_piece = tf_text.SentencepieceTokenizer(
            model=proto, out_type=self.compute_dtype, add_bos=self.add_bos, add_eos=self.add_eos, name=self.name
        )


def load(path):
    """The tokenizer saved at `path` (`source.model` or `target.model`), named after its side."""
    proto = path.read_bytes()
    with quiet.native_logs_hidden():  # SentencePiece's "LOG(INFO) ... use identity normalization" on the target's
        return SentencePieceTokenizer(proto=proto, name=f"{path.stem}_tokenizer")


def load_or_train(path, texts, side, normalise=True):
    """The tokenizer saved at `path`, or one trained on `texts` and saved there (atomically), with the list of the
    words `texts` hold beside it (`unseen_words`)."""
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        vocabulary = sorted({word for text in texts for word in words(text, side.lowercase)})
        write_text(words_path(path), "".join(f"{word}\n" for word in vocabulary))
        with atomic_path(path) as temporary:
            temporary.write_bytes(train_proto(texts, side, normalise))
    return load(path)


def words_path(path):
    """Where the training text's words of the tokenizer saved at `path` are listed: `source.model` -> `source.words`."""
    return path.with_suffix(".words")


def words(text, lowercase=False):
    """`text`'s words, as the training text's are listed: split at white space, lowercased when the side is."""
    return (text.lower() if lowercase else text).split()


def unseen_words(path, texts, lowercase=False):
    """`(words the training text never held, words)` of each text, by the list beside the tokenizer saved at `path`;
    None for a run trained before the list was kept. A subword tokenizer knows every character of its training
    text, so it turns almost anything into pieces: how much of an input is new to the model is in its words."""
    listed = words_path(path)
    if not listed.is_file():
        return None
    known = set(listed.read_text(encoding="utf-8").split("\n"))
    counts = []
    for text in texts:
        split = words(text, lowercase)
        counts.append((sum(word not in known for word in split), len(split)))
    return counts


def tokenized(tokenizer, texts, batch_size=4096):
    """Each text's token ids, a list of int32 arrays, tokenized by the same TensorFlow op serving runs."""
    batches = tf.data.Dataset.from_tensor_slices(tf.constant(texts, tf.string)).batch(batch_size).map(tokenizer)
    return [np.asarray(row, dtype=np.int32) for batch in batches for row in batch.numpy()]
