"""The command-line skeleton every generated project shares: one sub-command per verb.

A template lists its verbs as `Command`s; each handler checks its config and inputs first, then calls
`load_tensorflow(args)`, so a user mistake is reported at once and TensorFlow's start-up noise stays
hidden unless `--verbose` is given.

    main("myproject", "Image classification", [
        Command("train", "train a model", train_handler, add_config_arguments),
    ])
"""

import argparse
import dataclasses
from collections.abc import Callable
from typing import Optional

from . import quiet
from .errors import exit_on_user_error


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
