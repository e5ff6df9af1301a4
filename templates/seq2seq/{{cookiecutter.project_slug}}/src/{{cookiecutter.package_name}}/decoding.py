"""The decoding loop both architectures share: one token at a time, greedy or beam search.

A model splits in two to translate: `encode(source, max_length)` runs once per sentence and returns a
cache, then `decode_step(token, cache, index)` runs once per output token, carrying the recurrent state
(or the cached keys and values) forward instead of re-running the prefix. `Seq2Seq.generate` drives that
loop with a keras-hub sampler, which `sampler` picks as `decode.strategy` says.

    target_ids = model.generate(source_ids, sampler("beam", 4), max_length=12)
"""

import keras
import keras_hub
from keras import ops

from .tokenizers import END, PAD, START


class Seq2Seq(keras.Model):
    """What both architectures share: the decoding loop. Subclasses define `call`, `encode`, `decode_step`."""

    def generate(self, source, sampler, max_length):
        """Target ids `[batch, max_length]` for source ids `[batch, source_length]`, PAD after END.

        The sampler writes one token per step into a prompt that starts with START. PAD and START are never
        chosen; a row that has written END is held at PAD with probability 1, so beam search scores each
        hypothesis by its own tokens only.
        """
        batch = ops.shape(source)[0]
        cache = self.encode(source, max_length + 1)
        prompt = ops.concatenate([ops.full((batch, 1), START, "int32"), ops.zeros((batch, max_length), "int32")], 1)
        positions = ops.arange(max_length + 1)

        def next_logits(prompt, cache, index):
            token = ops.slice(prompt, [0, index - 1], [ops.shape(prompt)[0], 1])  # a slice XLA and JAX compile
            logits, cache = self.decode_step(token, cache, index - 1)
            vocabulary = ops.arange(ops.shape(logits)[-1])
            logits = ops.where((vocabulary == PAD) | (vocabulary == START), -1e9, ops.cast(logits, "float32"))
            finished = ops.any((prompt == END) & (positions < index), axis=1)
            hold = ops.where(vocabulary == PAD, 0.0, -1e9)
            return ops.where(finished[:, None], hold[None, :], logits), None, cache

        output = sampler(
            next_logits,
            prompt,
            cache,
            index=1,
            mask=ops.broadcast_to(positions == 0, ops.shape(prompt)),
            stop_token_ids=[END],
        )[:, 1:]
        after_end = ops.cumsum(ops.cast(output == END, "int32"), axis=1) - ops.cast(output == END, "int32") > 0
        return ops.where(after_end, PAD, output)


def sampler(strategy, beam_width):
    """`greedy` (the likeliest token at each step) or `beam` (the `beam_width` likeliest prefixes kept)."""
    if strategy == "beam":
        return keras_hub.samplers.BeamSampler(num_beams=beam_width)
    return keras_hub.samplers.GreedySampler()
