"""The `tokens` verb: how the tokenizer splits text, before training (to choose a vocabulary) or of a trained run.

A tokenizer decides what a model can see. Too small a vocabulary splits every word into many pieces: sequences
grow, attention costs grow with their square, and the model spends its capacity re-assembling words. Unknown
tokens (WordPiece's [UNK]) are words the model cannot read at all. The report gives, for the texts asked about:
tokens per word, tokens per 1,000 characters, the unknown-token rate, the spread of token counts per text (what
`data.max_tokens: auto` is sized from), and how sample words split.

    tokens                                   # a tokenizer trained on the configured data, on its training texts
    tokens --run runs/demo "not bad at all"  # the run's own tokenizer, on a text (or a file, one text per line)
"""

import collections
import dataclasses
from pathlib import Path
from typing import Optional

import numpy as np

from .runtime import cli, rundir
from .runtime.errors import UserError

SAMPLE_TEXTS = 2000  # training texts reported on when no input is given
UNKNOWN_TOKENS = ("[UNK]", "<unk>", "<|unk|>")


def add_tokens_verb(verb):
    """Adds `tokens` to the command line (`Task.add_verbs`); the task's `tokenizer(config, run)` gives the
    tokenizer and the training texts."""
    parser = verb(
        "tokens",
        show_tokens,
        "how the tokenizer splits text: tokens per word and per 1,000 characters, unknown tokens, token counts per "
        "text, and sample words split; of a run's tokenizer (--run), or of one trained on the configured data",
    )
    parser.add_argument("--run", type=Path, help="a run folder whose tokenizer to use (default: train one)")
    parser.add_argument("--config", default="configs/default.yaml", help="YAML config file (default: %(default)s)")
    parser.add_argument("--words", type=int, default=12, help="sample words shown split (default: %(default)s)")
    parser.add_argument(
        "inputs", nargs="*", help="texts, or text files of one text per line (default: the training texts)"
    )


def show_tokens(task, args):
    run = None
    if args.run is not None:
        run = rundir.open_run(args.run)
        config = task.load_config(run.config_file)
    else:
        config = task.load_config(args.config)
    texts = read_inputs(args.inputs)
    cli.load_tensorflow(args)
    tokenizer, training_texts = task.tokenizer(config, run)
    source = "the given texts" if texts else f"{min(len(training_texts), SAMPLE_TEXTS)} training texts"
    texts = texts or training_texts[:SAMPLE_TEXTS]
    whose = f"the tokenizer of {run.path}" if run else "a tokenizer trained on the configured data"
    print(f"{whose}, on {source}")
    print(describe(measure(tokenizer, texts), tokenizer, sample_words(texts, args.words)))


def read_inputs(inputs):
    """The texts of `inputs`: an existing file gives its non-empty lines, anything else is a text itself."""
    texts = []
    for item in inputs:
        path = Path(item)
        if path.is_file():
            try:
                texts += [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            except UnicodeDecodeError as error:
                raise UserError(f"{path} is not UTF-8 text (byte {error.start}): save it as UTF-8") from None
        else:
            texts.append(item)
    return texts


@dataclasses.dataclass
class TokenCounts:
    """What tokenizing some texts gave: per-text token counts, and the totals the report divides."""

    per_text: np.ndarray
    characters: int
    words: int
    unknown: Optional[int]  # tokens that are the unknown token; None: the tokenizer has none (byte-level BPE)

    @property
    def tokens(self):
        return int(self.per_text.sum())


def unknown_id(tokenizer):
    """The id of the tokenizer's unknown token, or None when it has none (byte-level BPE spells any text)."""
    vocabulary = set(tokenizer.get_vocabulary())
    for token in UNKNOWN_TOKENS:
        if token in vocabulary:
            return tokenizer.token_to_id(token)
    return None


def measure(tokenizer, texts, batch_size=512):
    """Token counts of `texts` under `tokenizer` (a keras-hub tokenizer), without special tokens."""
    unknown = unknown_id(tokenizer)
    per_text, unknown_count = [], 0
    for start in range(0, len(texts), batch_size):
        for ids in tokenizer.tokenize(texts[start : start + batch_size]):
            ids = np.asarray(ids)
            per_text.append(len(ids))
            unknown_count += int((ids == unknown).sum()) if unknown is not None else 0
    return TokenCounts(
        per_text=np.asarray(per_text),
        characters=sum(len(text) for text in texts),
        words=sum(len(text.split()) for text in texts),
        unknown=unknown_count if unknown is not None else None,
    )


def sample_words(texts, count):
    """Half the most frequent words of `texts`, half the longest of those seen once: how common words and rare
    ones split."""
    frequency = collections.Counter(word for text in texts for word in text.split())
    common = [word for word, _ in frequency.most_common(count - count // 2)]
    rare = sorted((word for word, seen in frequency.items() if seen == 1), key=len, reverse=True)
    return common + [word for word in rare if word not in common][: count // 2]


def pieces(tokenizer, word):
    """`word` as the tokenizer splits it, where it stands after a space inside a text."""
    ids = np.asarray(tokenizer.tokenize(" " + word)).tolist()
    return [tokenizer.id_to_token(int(token)) for token in ids]


def describe(counts, tokenizer, words):
    """The report's lines."""
    tokens = counts.tokens
    spread = np.percentile(counts.per_text, [50, 90, 99]).round().astype(int) if len(counts.per_text) else [0] * 3
    unknown = (
        "none possible (byte-level: every text is spelled in bytes)"
        if counts.unknown is None
        else f"{counts.unknown / max(tokens, 1):.2%} of tokens ({counts.unknown})"
    )
    lines = [
        f"  texts: {len(counts.per_text)}, words: {counts.words}, characters: {counts.characters}, tokens: {tokens}",
        f"  vocabulary: {tokenizer.vocabulary_size()} tokens",
        f"  tokens per word: {tokens / max(counts.words, 1):.2f}",
        f"  tokens per 1,000 characters: {1000 * tokens / max(counts.characters, 1):.0f}",
        f"  unknown tokens: {unknown}",
        f"  tokens per text: median {spread[0]}, 90th percentile {spread[1]}, 99th {spread[2]}, "
        f"longest {counts.per_text.max() if len(counts.per_text) else 0}",
    ]
    if words:
        width = max(len(word) for word in words)
        lines.append("  sample words:")
        lines += [f"    {word:<{width}}  {' '.join(pieces(tokenizer, word))}" for word in words]
    return "\n".join(lines)
