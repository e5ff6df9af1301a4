"""Models for serving, tokenizers inside: source strings in, target strings out.

- `tf_saved_model`: a SavedModel (`keras.export.ExportArchive`) whose `serve(sentences)` takes a batch of
  UTF-8 strings (a captioner's `serve(images)`: encoded JPEG/PNG files) and returns `translation` (strings)
  and `token_ids`: tokenizing (or decoding and resizing), encoding, decoding step by step with the run's
  strategy (greedy or beam) and detokenizing all happen inside. The tokenizers are TensorFlow Text ops:
  `import tensorflow_text` before `tf.saved_model.load` (TF Serving has them built in).
- `keras`: `model.keras` (token ids or pixels in, logits out), with `vocabulary/` beside it: the
  SentencePiece models (`source.model`, `target.model`) and the trained shapes (`shapes.json`).

ONNX and LiteRT are not offered: the decoding loop and the tokenizers have no ops there.
"""

import shutil

import keras
import tensorflow as tf

from .runtime import exports
from .runtime.errors import UserError
from .translate import load_translator

FORMATS = ("keras", "tf_saved_model")


def saved_model_archive(translator):
    archive = keras.export.ExportArchive()
    for tokenizer in (*translator.source.tokenizers(), translator.target_tokenizer):
        tokenizer.build(None)  # a tokenizer has no weights to build; ExportArchive tracks built layers only
        archive.track(tokenizer)
    archive.track(translator.model)
    archive.add_endpoint(
        "serve",
        translator.translate_strings.python_function,
        input_signature=[tf.TensorSpec([None], tf.string, name=translator.source.signature_name)],
    )
    return archive


def export(config, run, formats):
    exports.check_formats(formats)
    unsupported = [name for name in formats if name not in FORMATS]
    if unsupported:
        raise UserError(
            f"--format {','.join(unsupported)}: a translator decodes step by step with its tokenizers "
            f"inside, which {' and '.join(unsupported)} cannot hold; use {','.join(FORMATS)}"
        )
    translator = load_translator(run, config.decode)
    folder = run.file("export")
    written = exports.write_exports(translator.model, folder, formats, lambda: saved_model_archive(translator), {})
    shutil.copytree(run.file("vocabulary"), folder / "vocabulary", dirs_exist_ok=True)
    return written
