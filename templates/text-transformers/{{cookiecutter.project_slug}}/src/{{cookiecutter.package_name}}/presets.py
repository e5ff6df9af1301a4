"""`model.preset`: a keras-hub preset name or a local folder, loaded by keras-hub, a failure in one line.

keras-hub downloads a named preset once (from Kaggle or Hugging Face) and reads a local folder as it is: a keras-hub
preset (`save_to_preset`), or a Hugging Face checkpoint folder (config.json, model.safetensors and the tokenizer's
files). Offline, or with a mistyped name, it raises whatever its download or its file reading raised; here that
becomes one line saying how to point at a local copy instead.

    backbone = from_preset(keras_hub.models.BertBackbone, "bert_tiny_en_uncased")
"""

from pathlib import Path

from .runtime.errors import UserError


def from_preset(kind, preset):
    """`kind` (a keras-hub backbone or tokenizer class) of the preset `preset`, a name or a folder."""
    try:
        return kind.from_preset(preset)
    except Exception as error:  # keras-hub raises whatever its download or its file reading raised
        where = "the folder" if Path(preset).exists() else "the preset"
        reason = (str(error).splitlines() or [type(error).__name__])[0][:160]
        raise UserError(
            f"model.preset {preset}: {where} could not be loaded ({reason}); offline, download it once where there "
            f"is a network ({kind.__name__}.from_preset(name), then .save_to_preset(folder)) and set model.preset "
            "to that folder"
        ) from None
