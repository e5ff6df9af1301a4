"""The seam between the shared runner and a template: each template defines one `Task` subclass, in its `task.py`.

TF Model Garden's `Task` idea, without its registries. The runner calls these methods and nothing else of a
template: `runtime/cli.py` for the verbs, `runtime/training.py` for `train` (run folder, resume, devices, seeds,
HParams and `metrics.json`, written last) and, for a `FitTask`, for Keras `fit` phase by phase. A subclass that
leaves a method out fails when its module is imported, with a message naming the method.

The verbs import TensorFlow, which the runner loads (quietly) only after the config and the command line were
checked; so a `task.py` imports its verb modules inside the methods, not at its top.

    class ImageClassification(FitTask):
        name = "image_classifier"
        description = "Transfer-learning image classifier built with Keras 3"
        help = {"sample-data": "...", "evaluate": "...", "predict": "...", "export": "..."}
        monitor = "accuracy"

        def load_config(self, path, overrides=()):
            return config.load(path, overrides)

        def train(self, config, data, session):
            from .train import train

            return train(self, config, data, session)
        ...
"""

import abc
import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Optional

from .rundir import Run

if TYPE_CHECKING:  # training imports TensorFlow, which importing a task must not load
    from .training import Session

VERBS_WITH_HELP = ("sample-data", "evaluate", "predict", "export")
# How a `fit` template trains, as its HParams row shows it after the model's knobs (`Task.hparams`).
TRAINING_KNOBS = ("train.learning_rate", "train.schedule", "train.warmup_epochs", "train.optimizer", "train.epochs")


class Task:
    """What a template gives the runner. Class attributes describe the command line; methods do the verbs.

    Attributes:
        name: the console script, e.g. "image_classifier".
        description: one line for `--help`.
        help: one line for each of `sample-data`, `evaluate`, `predict`, `export`; `predict-inputs` (optional)
            says what predict's INPUT arguments are.
        summary_size: `(flag, meaning, default)` of the size `summary` builds its example model for.
        export_formats: `export`'s default `--format`.
        hparams: the knobs that TensorBoard's HParams dashboard shows for each run, as flattened config keys
            ("model.units", "train.learning_rate"), in the order a person reads them: model size, learning rate
            and schedule, epochs, batch size, then the data; a key the config lacks is left out.
        scores: what the dashboard shows after the knobs, the field's metric first: names of final metrics (keys
            of `metrics.json`: "accuracy"; one the run lacks stays empty), then scalar tags whose last value counts,
            such as validation curves ("epoch_val_loss"), which one click on a row draws.
        backends: the Keras backends the verbs run on, and, when that is TensorFlow alone, why (`backend_reason`);
            `backends_for(config)` narrows them for a config choice.
    """

    name: str
    description: str
    help: dict[str, str]
    summary_size: tuple[str, str, int] = ("classes", "number of classes", 6)
    export_formats: str = "keras,tf_saved_model"
    hparams: tuple[str, ...] = ()
    scores: tuple[str, ...] = ()
    backends: tuple[str, ...] = ("tensorflow", "jax")
    backend_reason: str = ""

    def backends_for(self, config: Any) -> tuple[tuple[str, ...], str]:
        """`(backends, reason)`: those `train`, `evaluate` and `predict` run on with `config`, and why no others.
        The class's `backends` and `backend_reason`, unless a template narrows them for a choice of its config
        (object detection's Faster R-CNN)."""
        return self.backends, self.backend_reason

    def __init_subclass__(cls, abstract=False, **kwargs):
        """`class MyTask(Task)` must define every method marked abstract below; `abstract=True` defers that to
        its own subclasses (as `FitTask` does)."""
        super().__init_subclass__(**kwargs)
        if abstract:
            return
        missing = [name for name in ("name", "description", "help") if not hasattr(cls, name)]
        missing += [name for name in dir(cls) if getattr(getattr(cls, name), "__isabstractmethod__", False)]
        if missing:
            raise TypeError(
                f"{cls.__module__}.{cls.__name__} does not define {', '.join(missing)}, which the "
                f"shared runner needs (see runtime/task.py)"
            )
        absent = [verb for verb in VERBS_WITH_HELP if verb not in cls.help]
        if absent:
            raise TypeError(f"{cls.__module__}.{cls.__name__}.help has no line for {', '.join(absent)}")

    @abc.abstractmethod
    def load_config(self, path: Optional[Path], overrides: tuple[str, ...] = ()) -> Any:
        """The typed config from a YAML file and `key=value` overrides; a mistake is a `UserError`. Must not
        import TensorFlow."""

    @abc.abstractmethod
    def write_sample_data(self, directory: Path) -> str:
        """Writes the bundled sample data into `directory`, in the format the user's own data takes; returns what
        it wrote, for one line of output ("6 classes (circle, ...)")."""

    @abc.abstractmethod
    def read_data(self, config: Any) -> Any:
        """Reads and checks the training data (files, environment) before any run folder exists, so a mistake in
        the data leaves nothing behind; returns what `train` needs of it."""

    @abc.abstractmethod
    def train(self, config: Any, data: Any, session: "Session") -> dict[str, float]:
        """The recipe (the template's `train.py`): data pipeline, model, training, final scoring and pictures.
        Returns the metrics; the runner writes them to HParams and `metrics.json`."""

    @abc.abstractmethod
    def evaluate(self, config: Any, run: Run) -> dict[str, float]:
        """Scores the run's model on the held-out data, prints and draws the result, returns the metrics (the runner
        writes `metrics.json`)."""

    @abc.abstractmethod
    def predict(self, config: Any, run: Run, inputs: list[str], output: Path, args: argparse.Namespace) -> Any:
        """Predictions for `inputs` into the folder `output`; `args` holds the flags of `add_predict_arguments`.
        Returns what it wrote (a table, or tables)."""

    @abc.abstractmethod
    def export(self, config: Any, run: Run, formats: list[str]) -> list[Path]:
        """Writes the run's model in `formats` (names from `runtime/exports.FORMATS`) into `RUN/export`."""

    @abc.abstractmethod
    def example_model(self, config: Any, size: int) -> Any:
        """The model `config` builds, for `size` (classes, vocabulary, ...: see `summary_size`), for `summary`."""

    def load_model(self, run: Run) -> Any:
        """The run's trained model, `model.keras`, uncompiled, for `summary RUN`. A template whose model holds layers
        of its own loads it through the module that registers them."""
        import keras

        return keras.saving.load_model(run.file("model.keras"), compile=False)

    def add_predict_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Flags of this template's `predict` (none by default); `predict` reads them from `args`."""

    def add_verbs(self, verb: Any) -> None:
        """Verbs of this template beyond the shared ones (none by default): `verb(name, handler, help)` adds one and
        returns its `argparse` parser, for its arguments; `handler(task, args)` runs it."""


class FitTask(Task, abstract=True):
    """A task trained with Keras `fit`, phase by phase (`runtime/training.fit`).

    Attributes:
        monitor: the validation metric that keeps the best checkpoint and stops early.
        monitor_mode: "max" when a higher `monitor` is better (accuracy, mAP), "min" when lower is (a language
            model's loss).
        gap_metric: the metric whose training/validation gap is warned about; None: `monitor`.
        calibration_batches: training batches that re-estimate BatchNorm statistics before each validation.
    """

    monitor: str
    monitor_mode: Literal["max", "min"] = "max"
    gap_metric: Optional[str] = None
    calibration_batches: int = 10

    @abc.abstractmethod
    def compile(self, model: Any, phase: Any, config: Any, data: Any, jit_compile: bool) -> None:
        """Compiles `model` for `phase` (a `runtime.phases.Phase`: name and learning rate), freezing what the phase
        freezes, with XLA as `jit_compile` says; called inside the strategy's scope. `data` is the `FitData` the
        recipe passed to `fit`."""
