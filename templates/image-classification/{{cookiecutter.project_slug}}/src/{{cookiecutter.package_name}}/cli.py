"""`{{ cookiecutter.project_slug }} <verb>`: sample-data, train, evaluate, predict, export, summary, info."""

from pathlib import Path

from . import config as config_module
from .runtime import cli, rundir
from .runtime.cli import Command, add_config_arguments, load_tensorflow

PROG = "{{ cookiecutter.project_slug }}"


def sample_data(args):
    load_tensorflow(args)
    from .data import write_sample_data

    classes = write_sample_data(args.directory)
    print(f"wrote {len(classes)} classes ({', '.join(classes)}) to {args.directory}")


def train(args):
    config = config_module.load(args.config, args.overrides)
    load_tensorflow(args)
    from .train import train as train_model

    train_model(config)


def run_config(run, overrides=()):
    """The config a run was trained with, plus any overrides (e.g. data.test_dir=...)."""
    return config_module.load(run.config_file, overrides)


def evaluate(args):
    run = rundir.open_run(args.run)
    config = run_config(run, args.overrides)
    load_tensorflow(args)
    from .evaluate import evaluate_run

    evaluate_run(run, config)


def predict(args):
    run = rundir.open_run(args.run)
    load_tensorflow(args)
    from .predict import predict as predict_images

    predict_images(run, args.inputs, args.output or run.file("predictions"), explain=args.explain)


def export(args):
    run = rundir.open_run(args.run)
    formats = [name.strip() for name in args.format.split(",") if name.strip()]
    load_tensorflow(args)
    from .export import export as export_model

    export_model(run, formats)


def summary(args):
    config = config_module.load(args.config, args.overrides)
    load_tensorflow(args)
    from .model import build_model, layer_table

    size = config.data.image_size if config.data.image_size != "auto" else 64
    model = build_model(config, [f"class_{index}" for index in range(args.classes)], size)
    print(f"{'layer':<28} {'output shape':<24} {'parameters':>12}")
    for name, shape, parameters in layer_table(model):
        print(f"{name:<28} {str(shape):<24} {parameters:>12,}")
    print(f"{'total':<53} {model.count_params():>12,}")


def runtime_settings(args):
    config = config_module.load(args.config, args.overrides)
    return config.train.precision, config.train.jit_compile


def _sample_arguments(parser):
    parser.add_argument("directory", nargs="?", default="data/sample", help="where to write (default: %(default)s)")


def _run_arguments(parser):
    parser.add_argument("run", type=Path, help="a run folder, e.g. runs/20250101-120000")


def _evaluate_arguments(parser):
    _run_arguments(parser)
    parser.add_argument("overrides", nargs="*", metavar="key=value", help="e.g. data.test_dir=data/test")


def _predict_arguments(parser):
    _run_arguments(parser)
    parser.add_argument("inputs", nargs="+", help="image files or folders")
    parser.add_argument("--output", type=Path, help="folder for predictions.csv (default: RUN/predictions)")
    parser.add_argument("--explain", action="store_true", help="also write Grad-CAM heat maps")


def _export_arguments(parser):
    _run_arguments(parser)
    parser.add_argument("--format", default="keras,tf_saved_model",
                        help="comma-separated, from keras,tf_saved_model,onnx,litert (default: %(default)s)")


def _summary_arguments(parser):
    add_config_arguments(parser)
    parser.add_argument("--classes", type=int, default=6, help="number of classes (default: %(default)s)")


COMMANDS = [
    Command("sample-data", "write the bundled sample dataset (one folder per class)", sample_data, _sample_arguments),
    Command("train", "train; resumes the run if it exists and did not finish", train, add_config_arguments),
    Command("evaluate", "accuracy, top-k, per-class P/R/F1 and confusion matrix on held-out data", evaluate,
            _evaluate_arguments),
    Command("predict", "classify images -> predictions.csv (--explain: Grad-CAM)", predict, _predict_arguments),
    Command("export", "write the model for serving, preprocessing and labels inside", export, _export_arguments),
    Command("summary", "each layer's output shape and parameters", summary, _summary_arguments),
    cli.info_command(runtime_settings),
]


def main(argv=None):
    return cli.main(PROG, "{{ cookiecutter.description }}", COMMANDS, argv)
