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
    return load_tiny_config(sample_dir)


@pytest.fixture(scope="session")
def faster_rcnn_run(sample_dir, tmp_path_factory):
    """`(config, run, metrics)` of a Faster R-CNN with a mask head trained for 8 epochs on the sample copy: the
    training test reads its run folder, the export test chains its exported stages."""
    from {{ cookiecutter.package_name }}.runtime import training
    from {{ cookiecutter.package_name }}.task import ObjectDetection

    config = load_tiny_config(sample_dir)
    config.run.dir = str(tmp_path_factory.mktemp("faster_rcnn"))
    config.model.architecture, config.model.masks = "faster_rcnn", True
    config.rpn.train_proposals, config.rpn.proposals = 64, 32
    config.roi.per_image, config.roi.fc_width = 32, 64
    config.train.epochs, config.train.learning_rate, config.data.batch_size = 8, 0.005, 4
    config.train.schedule, config.train.warmup_epochs = "constant", 0.0
    run, metrics = training.train(ObjectDetection(), config)
    return config, run, metrics


def load_tiny_config(sample_dir):
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
