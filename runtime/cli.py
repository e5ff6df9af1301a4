"""The command line every generated project shares: one sub-command per verb, each calling the project's `Task`.

    sample-data [DIR]    task.write_sample_data(directory)
    train                runtime/training.train(task, config): the run folder around task.train; with several
                         processes (runtime/processes.py), in a child process this one supervises
    evaluate RUN         task.evaluate(config, run), then RUN/metrics.json
    predict RUN INPUT..  task.predict(config, run, inputs, output, args)
    export RUN           task.export(config, run, formats)
    summary [RUN]        each layer's output shape and parameters: of RUN's trained model (task.load_model(run)),
                         or, without RUN, of the model the config builds (task.example_model(config, size))
    info                 versions, devices, and the strategy, precision and XLA `train` would use

Each handler checks its config and inputs first, then loads TensorFlow, quietly unless `--verbose` is given,
so a user mistake is reported at once and TensorFlow's start-up noise stays hidden.

    main(ImageClassification())  # the project's cli.py
"""

import argparse
import os
import sys
from pathlib import Path

from . import processes, quiet, rundir
from .errors import UserError, exit_on_user_error
from .exports import FORMATS as EXPORT_FORMATS
from .files import write_json


def load_tensorflow(args):
    quiet.import_tensorflow(verbose=args.verbose)


def export_on_tensorflow():
    """Every export format is TensorFlow's (the SavedModel's reading of files, the ONNX and LiteRT converters),
    and `model.keras` is the same file on every backend: a run trained on JAX is exported on TensorFlow."""
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    if backend != "tensorflow":
        print(f"exporting on TensorFlow, not KERAS_BACKEND={backend}: the export formats are TensorFlow's", flush=True)
    os.environ["KERAS_BACKEND"] = "tensorflow"  # before Keras is imported, which reads it once


def sample_data(task, args):
    load_tensorflow(args)
    print(f"wrote {task.write_sample_data(args.directory)} to {args.directory}")


def train(task, args):
    config = task.load_config(args.config, args.overrides)
    if hasattr(config, "distribution"):
        distribution = processes.resolved(config.distribution)
        processes.check(distribution, config.run.name)
        if distribution.processes > 1 and not processes.supervised():
            package = type(task).__module__.split(".")[0]
            sys.exit(processes.supervise([sys.executable, "-m", package, *args.argv], distribution))
    load_tensorflow(args)
    from . import training

    training.train(task, config)


def evaluate(task, args):
    run = rundir.open_run(args.run)
    rundir.trained_model(run)
    config = task.load_config(run.config_file, args.overrides)
    load_tensorflow(args)
    from . import progress, training

    training.check_backend(task, config)
    progress.use(config.train.progress)
    write_json(run.metrics, task.evaluate(config, run))


def predict(task, args):
    run = rundir.open_run(args.run)
    rundir.trained_model(run)
    config = task.load_config(run.config_file)
    load_tensorflow(args)
    from . import progress, training

    training.check_backend(task, config)
    progress.use(config.train.progress)
    task.predict(config, run, args.inputs, args.output or run.file("predictions"), args)


def export(task, args):
    run = rundir.open_run(args.run)
    rundir.trained_model(run)
    config = task.load_config(run.config_file)
    formats = [name.strip() for name in args.format.split(",") if name.strip()]
    export_on_tensorflow()
    load_tensorflow(args)
    task.export(config, run, formats)


def summary(task, args):
    run_path, overrides = run_and_overrides(args.run_or_overrides)
    if run_path is None:
        config = task.load_config(args.config, overrides)
        load_tensorflow(args)
        model = task.example_model(config, getattr(args, task.summary_size[0]))
    else:
        if overrides:
            raise UserError(f"summary {run_path} describes the run's trained model as it is: leave out {overrides[0]}")
        run = rundir.open_run(run_path)
        rundir.trained_model(run)
        load_tensorflow(args)
        model = task.load_model(run)
    rows = [("layer", "output shape", "parameters")]
    rows += [(layer.name, shape_text(output_shapes(layer)), f"{layer.count_params():,}") for layer in model.layers]
    rows.append(("total", "", f"{model.count_params():,}"))
    name_width, shape_width, count_width = (max(len(row[column]) for row in rows) for column in range(3))
    for name, shape, count in rows:
        print(f"{name:<{name_width}}  {shape:<{shape_width}}  {count:>{count_width}}")


def run_and_overrides(items):
    """`(run folder or None, overrides)` of summary's arguments: a first argument without `=` is a run folder."""
    if items and "=" not in items[0]:
        return Path(items[0]), items[1:]
    return None, items


def output_shapes(layer):
    """The shape of what `layer` outputs, or a structure of shapes when it outputs several; None when unknown.

    A functional model's layer keeps its output tensors. A subclassed model's layer (seq2seq's) keeps only the shapes
    it was built on, from a stand-in batch: its output shape is computed from those, with every axis but the last,
    which follow the input (batch, length, picture size), shown as None.
    """
    import keras

    try:
        return keras.tree.map_structure(lambda tensor: tuple(tensor.shape), layer.output)
    except AttributeError:  # never called on symbolic inputs: not a functional model's layer
        pass
    built_on = layer.get_build_config() or {}  # empty for a layer that builds nothing, such as Dropout
    try:
        if "input_shape" in built_on:
            shapes = layer.compute_output_shape(built_on["input_shape"])
        elif "shapes_dict" in built_on:
            shapes = layer.compute_output_shape(**built_on["shapes_dict"])
        else:
            return None
    except (NotImplementedError, TypeError, ValueError):  # cannot, or not from those (keras-hub's TransformerDecoder)
        return None
    return keras.tree.map_shape_structure(lambda shape: (None,) * (len(shape) - 1) + tuple(shape[-1:]), shapes)


def shape_text(shapes):
    """`(None, 32)`, or several shapes as `[(None, 32), (None, 16)]`; `?` when unknown."""
    if shapes is None:
        return "?"
    if isinstance(shapes, dict):
        shapes = list(shapes.values())
    if all(size is None or isinstance(size, int) for size in shapes):
        return str(tuple(shapes))
    return "[" + ", ".join(shape_text(shape) for shape in shapes) + "]"


def info(task, args):
    config = task.load_config(args.config, args.overrides)
    load_tensorflow(args)
    from . import device

    lines = device.describe(config.train.precision, config.train.jit_compile)
    if hasattr(config, "distribution"):
        cluster = processes.resolved(config.distribution)
        if cluster.processes > 1:
            lines["train joins"] = (
                f"{cluster.processes} processes at coordinator {cluster.coordinator}, this one process "
                f"{cluster.process_id} (config and KERAS_DISTRIBUTION_*)"
            )
    for key, value in lines.items():
        print(f"{key:>26}: {value}")


def config_arguments(parser):
    parser.add_argument("--config", default="configs/default.yaml", help="YAML config file (default: %(default)s)")
    parser.add_argument("overrides", nargs="*", metavar="key=value", help="config overrides, e.g. train.epochs=5")


def run_argument(parser):
    parser.add_argument("run", type=Path, help="a run folder, e.g. runs/20250101-120000")


def parser_for(task):
    """The `argparse` parser of `task`'s verbs; each sub-parser's `handler` default is its function above."""
    parser = argparse.ArgumentParser(prog=task.name, description=task.description)
    verbs = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def verb(name, handler, help):
        sub = verbs.add_parser(name, help=help, description=help)
        sub.add_argument("--verbose", action="store_true", help="also show TensorFlow's own log messages")
        sub.set_defaults(handler=handler)
        return sub

    verb("sample-data", sample_data, task.help["sample-data"]).add_argument(
        "directory", nargs="?", default="data/sample", help="where to write (default: %(default)s)"
    )
    config_arguments(verb("train", train, "train; resumes the run if it exists and did not finish"))
    evaluating = verb("evaluate", evaluate, task.help["evaluate"])
    run_argument(evaluating)
    evaluating.add_argument("overrides", nargs="*", metavar="key=value", help="e.g. data.test_dir=data/test")
    predicting = verb("predict", predict, task.help["predict"])
    run_argument(predicting)
    predicting.add_argument("inputs", nargs="+", help=task.help.get("predict-inputs", "image files or folders"))
    predicting.add_argument("--output", type=Path, help="folder for the predictions (default: RUN/predictions)")
    task.add_predict_arguments(predicting)
    exporting = verb("export", export, task.help["export"])
    run_argument(exporting)
    exporting.add_argument(
        "--format",
        default=task.export_formats,
        help=f"comma-separated, from {','.join(EXPORT_FORMATS)} (default: %(default)s)",
    )
    summarising = verb(
        "summary",
        summary,
        "each layer's output shape and parameters, of a run's trained model or, "
        "without a run, of the model the config builds",
    )
    summarising.add_argument("--config", default="configs/default.yaml", help="YAML config file (default: %(default)s)")
    summarising.add_argument(
        "run_or_overrides",
        nargs="*",
        metavar="RUN | key=value",
        help="a run folder, e.g. runs/20250101-120000, whose trained model to describe; or config overrides of the "
        "model to plan",
    )
    flag, meaning, default = task.summary_size
    summarising.add_argument(f"--{flag}", type=int, default=default, help=f"{meaning} (default: %(default)s)")
    task.add_verbs(verb)
    config_arguments(verb("info", info, "versions, devices, and the strategy/precision/XLA train would use"))
    return parser


def main(task, argv=None):
    """Parses the command line and runs the verb; a user mistake ends in one line and exit status 2."""
    args = parser_for(task).parse_args(argv)
    args.argv = sys.argv[1:] if argv is None else list(argv)  # what a supervised `train` runs again
    return exit_on_user_error(args.handler, task, args)
