"""Progress a person can follow: a bar redrawn in a terminal, plain lines at an interval in a pipe or a log file.

Keras redraws its bar with backspaces, carriage returns and colour codes on every POSIX system, terminal or
not (`Progbar._dynamic_display`), which fills a piped log with them; its `verbose=2` prints one plain line when
a bar completes, which leaves a log silent for a whole epoch. `train.progress` chooses, for every loop:

    auto     a bar in a terminal; in a pipe, a plain line every 30 seconds and one when the loop ends
    bar      the bar, always
    lines    plain lines, always
    epochs   one line when a loop (an epoch, an evaluation) ends

    progress.use(config.train.progress)
    model.fit(..., verbose=progress.verbosity(), callbacks=[progress.EpochLines()])
    bar = progress.bar(len(items), unit_name="item")
"""

import sys
import time

import keras

MODES = ("auto", "bar", "lines", "epochs")
LINE_SECONDS = 30.0  # between two plain lines: often enough to show life, rarely enough to read a log

_chosen = "auto"


def use(mode):
    """Sets how this process shows progress: one of `MODES`."""
    global _chosen
    if mode not in MODES:
        raise ValueError(f"progress {mode!r} is not one of {', '.join(MODES)}")
    _chosen = mode


def mode():
    """The mode in force: `auto` resolved by whether standard output is a terminal."""
    if _chosen == "auto":
        return "bar" if sys.stdout.isatty() else "lines"
    return _chosen


def verbosity():
    """Keras' `verbose` for `fit`, `evaluate` and `predict`: 1 draws the bar; 2 prints a line when a loop ends."""
    return 1 if mode() == "bar" else 2


def bar(target, **options):
    """A `keras.utils.Progbar` of `target` steps as the mode says; `options` are the Progbar's."""
    if mode() == "bar":
        return keras.utils.Progbar(target, verbose=1, **options)
    if mode() == "lines":
        return PlainLines(target, **options)
    return keras.utils.Progbar(target, verbose=2, **options)


class PlainLines(keras.utils.Progbar):
    """A Progbar for logs: the line Keras prints when the loop ends, and the same line with the count so far every
    `every` seconds before.

    Example:

    >>> bar = PlainLines(1000, unit_name="step", every=30)
    >>> for step in range(1000):
    ...     bar.add(1, values=[("loss", 0.5)])
    """

    def __init__(self, target, every=LINE_SECONDS, **options):
        super().__init__(target, verbose=2, **options)
        self.every = every
        self._last_line = time.time()

    def update(self, current, values=None, finalize=None):
        super().update(current, values, finalize)
        ended = finalize if finalize is not None else self.target is not None and current >= self.target
        if not ended and time.time() - self._last_line >= self.every:
            self.line(current)

    def line(self, current):
        """Prints the loop's line now, with the count and the means so far."""
        self._last_line = time.time()
        super().update(current, finalize=True)  # verbose=2 prints its line only for a final update
        sys.stdout.flush()


class EpochLines(keras.callbacks.Callback):
    """Plain lines inside each epoch of `fit` when the mode is lines (`verbose=2` prints one as the epoch ends):
    the step, the seconds since the epoch began and the running metrics.

    Args:
        every: seconds between two lines.
    """

    def __init__(self, every=LINE_SECONDS):
        super().__init__()
        self.every = every
        self.started = self.last_line = time.time()

    def on_epoch_begin(self, epoch, logs=None):
        self.started = self.last_line = time.time()

    def on_train_batch_end(self, batch, logs=None):
        now = time.time()
        if mode() != "lines" or now - self.last_line < self.every:
            return
        self.last_line = now
        steps = self.params.get("steps")
        count = f"{batch + 1}/{steps}" if steps else str(batch + 1)
        metrics = "".join(f" - {name}: {float(value):.4f}" for name, value in (logs or {}).items())
        print(f"{count} - {now - self.started:.0f}s{metrics}", flush=True)
