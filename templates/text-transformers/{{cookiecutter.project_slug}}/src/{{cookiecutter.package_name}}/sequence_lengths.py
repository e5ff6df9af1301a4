"""How many tokens a model reads: sized from the training texts, and every cut said out loud.

Short texts are the common case, and a fixed length of a few hundred tokens makes a model spend almost all of
its attention on padding (and, unmasked, learn from it). `auto` takes the 99th percentile of the training texts'
token counts, so one long outlier does not set the length for all, and adds the special tokens each text carries
([CLS] and [SEP], or a start/end token). Batches are padded only to their own longest (`datasets/buckets.py`), so
the length is a ceiling that cuts the rare long text, reported at start-up, never silently.

    length = sequence_length("auto", [5, 7, 6, 40], reserved=2)  # 40 + 2: four texts, the 99th percentile is the last
"""

import numpy as np

AUTO_PERCENTILE = 99
LONGEST_AUTO = 512  # the position embeddings' size: longer texts are cut to it


def sequence_length(configured, token_counts, reserved):
    """`configured` (an int), or for "auto" the 99th percentile of `token_counts` plus the `reserved` special
    tokens, at most the longest text's and 512."""
    if configured != "auto":
        return configured
    counts = np.asarray(token_counts)
    percentile = int(np.percentile(counts, AUTO_PERCENTILE, method="higher"))
    return int(min(LONGEST_AUTO, max(1, percentile) + reserved, counts.max() + reserved))


def cut_count(length, token_counts, reserved):
    """How many of the texts `token_counts` describes do not fit in `length` tokens with their special tokens."""
    return int((np.asarray(token_counts) + reserved > length).sum())


def cut_note(key, length, token_counts, reserved, auto, windowed=False):
    """The start-up line saying how many training texts `key` (a length of `length` tokens) cuts, or, `windowed`
    (a language model's), splits into consecutive windows, each read without the one before."""
    cut, total = cut_count(length, token_counts, reserved), len(token_counts)
    sized = f" (auto: the {AUTO_PERCENTILE}th percentile of the training texts' tokens, + {reserved} special)"
    share = f"{cut} of {total} training texts ({cut / max(total, 1):.1%})"
    if windowed:
        return (
            f"lengths: {share} are longer than {key} {length}{sized if auto else ''} and read in windows of that "
            "many tokens; raise it to give them more context"
        )
    return f"lengths: {share} are cut to {key} {length}{sized if auto else ''}; raise it to keep them whole"
