import sys

import pytest

from {{ cookiecutter.package_name }}.runtime.quiet import import_tensorflow

import_tensorflow()


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory):
    """A small copy of the sample data: six classes, twelve pictures each."""
    from {{ cookiecutter.package_name }}.datasets.shapes import write_shape_folders

    directory = tmp_path_factory.mktemp("data") / "sample"
    write_shape_folders(directory, per_class=12, size=32, seed=1)
    return directory


@pytest.fixture
def tiny_train(sample_dir):
    """`tiny_train(runs_dir, name, *overrides)`: the command line of a `train` of a tiny model on the sample copy,
    run as a user runs the project's command."""

    def command(runs_dir, name, *overrides):
        return [
            sys.executable,
            "-m",
            "{{ cookiecutter.package_name }}",
            "train",
            f"data.dir={sample_dir}",
            f"run.dir={runs_dir}",
            f"run.name={name}",
            "data.image_size=32",
            "model.blocks=[{filters: 8}, {filters: 16}]",
            "train.precision=float32",
            "data.batch_size=16",
            *overrides,
        ]

    return command
