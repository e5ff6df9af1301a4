"""What this project gives the shared runner (`runtime/task.py`): its verbs, `sample`{{ ' and `latent`' if cookiecutter.model_family == 'vae' }} among
them, and how `fit` compiles its one phase."""

from pathlib import Path

from .config import load
from .runtime import cli, rundir
from .runtime.errors import UserError
from .runtime.task import TRAINING_KNOBS, FitTask


class ImageGeneration(FitTask):
    name = "{{ cookiecutter.project_slug }}"
    description = "{{ cookiecutter.description }}"
    help = {
        "sample-data": "write the bundled sample: 32x32 pictures of 6 shapes, one folder per class",
        "evaluate": "KID, conditional accuracy and diversity of samples, by the run's judge; samples.png",
        "predict": "draw one image per request CLASS:SEED (or SEED) -> PNG files and predictions.csv",
        "predict-inputs": "requests CLASS:SEED (circle:7, 2:7, circle), or SEED alone without classes",
        "export": "write the model for serving: a SavedModel from requests (or labels and seeds) to images",
    }
    summary_size = ("classes", "number of classes (0: unconditional)", 6)
    export_formats = "keras,tf_saved_model"
    monitor = "class_kid"  # `val_class_kid`, which `scoring.EpochScores` puts in the logs
    backends = ("tensorflow",)
    backend_reason = "its training steps take gradients with tf.GradientTape and sample with TensorFlow's ops"
    monitor_mode = "min"
{%- if cookiecutter.model_family == 'gan' %}
    gap_metric = "real_accuracy"  # the discriminator's on real images: it memorises them when the two part ways
{%- endif %}
    calibration_batches = 0  # no BatchNorm in the sampling path
    hparams = (
{%- if cookiecutter.model_family == 'vae' %}
        "model.filters",
        "model.latent_dim",
        "model.beta",
        "model.reconstruction",
{%- elif cookiecutter.model_family == 'gan' %}
        "model.loss",
        "model.filters",
        "model.latent_dim",
        "model.critic_steps",
        "model.spectral_norm",
        "model.minibatch_stddev",
        "model.augment",
        "model.class_loss",
        "model.ema",
{%- else %}
        "model.widths",
        "model.blocks_per_level",
        "model.attention_levels",
        "model.schedule",
        "model.timesteps",
        "model.ema",
        "sample.method",
        "sample.steps",
        "sample.guidance",
        "sample.guidance_rescale",
{%- endif %}
        "model.conditional",
        *TRAINING_KNOBS,
        "data.batch_size",
        "data.image_size",
    )
    scores = (
        "kid",
        "class_kid",
        "conditional_accuracy",
        "diversity",
        "judge_accuracy",
        "epoch_val_class_kid",
        "epoch_val_loss",
    )

    def load_config(self, path, overrides=()):
        return load(path, overrides)

    def write_sample_data(self, directory):
        from .data import write_sample_data

        return write_sample_data(directory)

    def read_data(self, config):
        from .data import read_data

        return read_data(config)

    def train(self, config, data, session):
        from .train import train

        return train(self, config, data, session)

    def compile(self, model, phase, config, data, jit_compile):
        from .train import compile_for

        compile_for(model, phase, config, jit_compile)

    def evaluate(self, config, run):
        from .evaluate import evaluate

        return evaluate(config, run)

    def predict(self, config, run, inputs, output, args):
        from .predict import predict

        return predict(config, run, inputs, output)

    def export(self, config, run, formats):
        from .export import export

        return export(config, run, formats)

    def load_model(self, run):
        from .trained import load_trained

        return load_trained(run).model

    def example_model(self, config, size):
        from .model import build_model

        return build_model(config, 32 if config.data.image_size == "auto" else config.data.image_size, 3, size)

    def add_verbs(self, verb):
        drawing = verb("sample", draw_samples, "many images from a run's model: sample.count per class, and a grid")
        cli.run_argument(drawing)
        drawing.add_argument("overrides", nargs="*", help="sample.* settings, e.g. sample.count=16")
        drawing.add_argument("--class", dest="classes", action="append", default=[], help="only this class (repeat)")
{%- if cookiecutter.model_family == 'diffusion' %}
        drawing.add_argument(
            "--text", dest="prompts", action="append", default=[], help="a model drawn from text: this prompt (repeat)"
        )
{%- endif %}
        drawing.add_argument("--seed", type=int, default=0, help="the first seed (default 0)")
        drawing.add_argument("--output", type=Path, help="folder for the images (default: RUN/drawn)")
{%- if cookiecutter.model_family == 'vae' %}
        walking = verb("latent", walk_latent_space, "a walk through the latent space: from image A to B, and A - B + C")
        cli.run_argument(walking)
        walking.add_argument(
            "images", nargs="+", type=Path, help="two images (interpolation) or three (also A - B + C)"
        )
        walking.add_argument(
            "--classes", help="their classes, comma-separated (default: each image's folder, when it is a class name)"
        )
        walking.add_argument("--steps", type=int, default=8, help="images between A and B (default 8)")
        walking.add_argument("--output", type=Path, help="folder for the strips (default: RUN/latent)")
{%- endif %}


def draw_samples(task, args):
    run = rundir.open_run(args.run)
    rundir.trained_model(run)
    wrong = [item for item in args.overrides if not item.startswith("sample.")]
    if wrong:
        raise UserError(f"sample takes sample.* settings only, not {wrong[0]}")
    config = task.load_config(run.config_file, args.overrides)
    classes = read_classes(run)
    unknown = [name for name in args.classes if name not in classes]
    if unknown:
        raise UserError(f"--class {unknown[0]} is not one of the run's classes ({', '.join(classes) or 'none'})")
    cli.load_tensorflow(args)
    from .runtime import progress
    from .sample import sample

    progress.use(config.train.progress)
{%- if cookiecutter.model_family == 'diffusion' %}
    sample(config, run, args.output or run.file("drawn"), args.seed, args.classes, args.prompts)
{%- else %}
    sample(config, run, args.output or run.file("drawn"), args.seed, args.classes)
{%- endif %}


{% if cookiecutter.model_family == 'vae' -%}
def walk_latent_space(task, args):
    run = rundir.open_run(args.run)
    rundir.trained_model(run)
    if len(args.images) not in (2, 3):
        raise UserError(f"latent takes two images (A B) or three (A B C), not {len(args.images)}")
    if args.steps < 1:
        raise UserError(f"--steps is {args.steps}, expected 1 or more")
    missing = [path for path in args.images if not path.is_file()]
    if missing:
        raise UserError(f"image {missing[0]} not found")
    labels = image_classes(args.images, args.classes, read_classes(run))
    cli.load_tensorflow(args)
    from .data import load_image
    from .latent import write_strips
    from .trained import load_trained

    trained = load_trained(run)
    written = write_strips(
        trained.model,
        [str(path) for path in args.images],
        labels,
        lambda path: load_image(path, trained.image_size, trained.channels),
        args.output or run.file("latent"),
        args.steps,
    )
    for path in written:
        print(f"wrote {path}")


def image_classes(images, given, classes):
    """The class of each image: from `--classes`, or from each image's folder; all 0 for an unconditional model."""
    if not classes:
        return [0] * len(images)
    names = [name.strip() for name in given.split(",")] if given else [path.parent.name for path in images]
    if len(names) != len(images):
        raise UserError(f"--classes names {len(names)} class(es) for {len(images)} images: one per image")
    unknown = [name for name in names if name not in classes]
    if unknown:
        source = "--classes" if given else "the images' folders"
        raise UserError(
            f"{source}: {unknown[0]} is not one of the run's classes ({', '.join(classes)}); "
            "pass --classes with one class per image"
        )
    return [classes.index(name) for name in names]


{% endif -%}
def read_classes(run):
    from .runtime.files import read_json

    return read_json(run.file("classes.json"))["class_names"]
