import pytest

from {{ cookiecutter.package_name }}.runtime.quiet import import_tensorflow

import_tensorflow()


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory):
    """A small copy of the sample data: 24 scenes of 32 x 32 pixels, in images/ and masks/."""
    from {{ cookiecutter.package_name }}.scenes import write_scene_folders

    directory = tmp_path_factory.mktemp("data") / "sample"
    write_scene_folders(directory, count=24, size=32, seed=1)
    return directory
