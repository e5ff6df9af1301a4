import pytest

from {{ cookiecutter.package_name }}.runtime.quiet import import_tensorflow

import_tensorflow()


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory):
    """A small copy of the sample data: 24 scenes of 64 x 64 pixels, in images/ and annotations.json (COCO)."""
    from {{ cookiecutter.package_name }}.scenes import write_sample_scenes

    directory = tmp_path_factory.mktemp("data") / "sample"
    write_sample_scenes(directory, count=24, size=64, seed=1)
    return directory


@pytest.fixture
def tiny_config(sample_dir):
    """The default config on `sample_dir`, with a model and input small enough to train in seconds."""
    from {{ cookiecutter.package_name }}.config import load

    return load(
        "configs/default.yaml",
        [
            f"data.images_dir={sample_dir / 'images'}",
            f"data.annotations={sample_dir / 'annotations.json'}",
            "data.image_size=64",
            "model.filters=[8, 8, 16, 16, 16]",
            "model.pyramid_width=16",
            "model.head_width=16",
            "model.head_depth=1",
            "train.precision=float32",
        ],
    )
