import pytest

from {{ cookiecutter.package_name }}.runtime.quiet import import_tensorflow

import_tensorflow()


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory):
    """A small copy of the sample data: 600 training and 100 test date pairs."""
    from {{ cookiecutter.package_name }}.dates import write_date_pairs

    directory = tmp_path_factory.mktemp("data") / "sample"
    write_date_pairs({directory / "train.tsv": 600, directory / "test.tsv": 100}, seed=1)
    return directory
