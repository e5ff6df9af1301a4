"""The command-line skeleton every generated project shares: one sub-command per verb.

`project_commands` gives the verbs of DESIGN.md, each calling the project's own module for its task:

    sample-data DIR      data.write_sample_data(directory) -> what it wrote, e.g. "6 classes (...)"
    train                train.train(config)
    evaluate RUN         evaluate.evaluate_run(run, config)
    predict RUN INPUT..  predict.predict(run, inputs, output, **task_options)
    export RUN           export.export(run, formats)
    summary              model.example_model(config, size) -> a built model (size: classes, vocabulary...)
    info                 versions, devices, strategy, precision, XLA

Each handler checks its config and inputs first, then calls `load_tensorflow(args)`, so a user mistake
is reported at once and TensorFlow's start-up noise stays hidden unless `--verbose` is given; the task's
modules are imported after that.

    main("myproject", "Image classification", project_commands(config.load, DESCRIPTIONS))
"""

import argparse
import dataclasses
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Optional

from . import quiet, rundir
from .errors import exit_on_user_error
from .exports import FORMATS as EXPORT_FORMATS


@dataclasses.dataclass
class Command:
    name: str
    help: str
    handler: Callable[[argparse.Namespace], object]
    arguments: Optional[Callable[[argparse.ArgumentParser], None]] = None


def add_config_arguments(parser, default_config="configs/default.yaml"):
    parser.add_argument("--config", default=default_config, help="YAML config file (default: %(default)s)")
    parser.add_argument("overrides", nargs="*", metavar="key=value", help="config overrides, e.g. train.epochs=5")


def load_tensorflow(args):
    quiet.import_tensorflow(verbose=getattr(args, "verbose", False))


def main(prog, description, commands, argv=None):
    parser = argparse.ArgumentParser(prog=prog, description=description)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    handlers = {}
    for command in commands:
        sub = subparsers.add_parser(command.name, help=command.help, description=command.help)
        sub.add_argument("--verbose", action="store_true", help="also show TensorFlow's own log messages")
        if command.arguments is not None:
            command.arguments(sub)
        handlers[command.name] = command.handler
    args = parser.parse_args(argv)
    return exit_on_user_error(handlers[args.command], args)


def info_command(read_runtime_settings):
    """The `info` verb: versions, devices, and the strategy, precision and XLA `train` would use.

    `read_runtime_settings(args)` returns `(precision, jit_compile)` from the project's config.
    """

    def handler(args):
        precision, jit_compile = read_runtime_settings(args)
        load_tensorflow(args)
        from . import device

        for key, value in device.describe(precision, jit_compile).items():
            print(f"{key:>26}: {value}")

    return Command("info", "versions, devices, and the strategy/precision/XLA train would use", handler,
                   add_config_arguments)


def project_module(name):
    """A module of the generated project this runtime was copied into (`train`, `data`, ...)."""
    return importlib.import_module(f"{__package__.rpartition('.')[0]}.{name}")


def project_commands(load_config, descriptions, predict_arguments=None, default_export="keras,tf_saved_model",
                     summary_size=("classes", "number of classes", 6)):
    """The shared verbs. `descriptions[verb]` describes each (and `descriptions["predict-inputs"]`, if given, what
    predict's INPUT are); `predict_arguments(parser)` adds the task's own flags, which reach `predict.predict` as
    keyword arguments; `summary` builds its example model for the size `summary_size` (flag, help, default) names."""

    def sample_data(args):
        load_tensorflow(args)
        print(f"wrote {project_module('data').write_sample_data(args.directory)} to {args.directory}")

    def train(args):
        config = load_config(args.config, args.overrides)
        load_tensorflow(args)
        project_module("train").train(config)

    def evaluate(args):
        run = rundir.open_run(args.run)
        config = load_config(run.config_file, args.overrides)
        load_tensorflow(args)
        project_module("evaluate").evaluate_run(run, config)

    def predict(args):
        run = rundir.open_run(args.run)
        load_tensorflow(args)
        options = {key: value for key, value in vars(args).items()
                   if key not in ("command", "verbose", "run", "inputs", "output")}
        project_module("predict").predict(run, args.inputs, args.output or run.file("predictions"), **options)

    def export(args):
        run = rundir.open_run(args.run)
        formats = [name.strip() for name in args.format.split(",") if name.strip()]
        load_tensorflow(args)
        project_module("export").export(run, formats)

    def summary(args):
        config = load_config(args.config, args.overrides)
        load_tensorflow(args)
        from .backbones import layer_table

        model = project_module("model").example_model(config, getattr(args, summary_size[0]))
        print(f"{'layer':<28} {'output shape':<24} {'parameters':>12}")
        for name, shape, parameters in layer_table(model):
            print(f"{name:<28} {str(shape):<24} {parameters:>12,}")
        print(f"{'total':<53} {model.count_params():>12,}")

    def sample_arguments(parser):
        parser.add_argument("directory", nargs="?", default="data/sample", help="where to write (default: %(default)s)")

    def run_arguments(parser):
        parser.add_argument("run", type=Path, help="a run folder, e.g. runs/20250101-120000")

    def evaluate_arguments(parser):
        run_arguments(parser)
        parser.add_argument("overrides", nargs="*", metavar="key=value", help="e.g. data.test_dir=data/test")

    def predict_all_arguments(parser):
        run_arguments(parser)
        parser.add_argument("inputs", nargs="+", help=descriptions.get("predict-inputs", "image files or folders"))
        parser.add_argument("--output", type=Path, help="folder for the predictions (default: RUN/predictions)")
        if predict_arguments is not None:
            predict_arguments(parser)

    def export_arguments(parser):
        run_arguments(parser)
        parser.add_argument("--format", default=default_export,
                            help=f"comma-separated, from {','.join(EXPORT_FORMATS)} (default: %(default)s)")

    def summary_arguments(parser):
        add_config_arguments(parser)
        flag, meaning, default = summary_size
        parser.add_argument(f"--{flag}", type=int, default=default, help=f"{meaning} (default: %(default)s)")

    def settings(args):
        train_config = load_config(args.config, args.overrides).train
        return train_config.precision, train_config.jit_compile

    return [
        Command("sample-data", descriptions["sample-data"], sample_data, sample_arguments),
        Command("train", "train; resumes the run if it exists and did not finish", train, add_config_arguments),
        Command("evaluate", descriptions["evaluate"], evaluate, evaluate_arguments),
        Command("predict", descriptions["predict"], predict, predict_all_arguments),
        Command("export", descriptions["export"], export, export_arguments),
        Command("summary", "each layer's output shape and parameters", summary, summary_arguments),
        info_command(settings),
    ]
