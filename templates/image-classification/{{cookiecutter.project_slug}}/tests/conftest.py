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
