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


@pytest.fixture
def eleven_classes(tmp_path):
    """`(directory, values)`: six 32 x 32 pairs whose index masks each hold eleven values, not contiguous (as in data
    whose classes were pruned), and 255 (object borders)."""
    import numpy as np
    from PIL import Image

    values = (0, 1, 2, 5, 7, 9, 12, 20, 33, 100, 200)
    rng = np.random.default_rng(0)
    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    for index in range(6):
        mask = np.array([*values, 255], dtype=np.uint8)[rng.permutation(np.arange(32 * 32) % 12)]
        Image.fromarray(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(tmp_path / "images" / f"{index}.png")
        Image.fromarray(mask.reshape(32, 32)).save(tmp_path / "masks" / f"{index}.png")
    return tmp_path, values
