"""Reading a folder of images: classes or none, sizes from the data, and one clear line for every mistake."""

import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.data import held_out, image_batches, read_data, real_images
from {{ cookiecutter.package_name }}.runtime.errors import UserError
from {{ cookiecutter.package_name }}.sample_images import write_sample_images


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("sample")
    write_sample_images(directory, per_class=10, size=32, seed=0)
    return directory


def config_for(directory, batch_size=8, **model):
    config = Config()
    config.data.dir = str(directory)
    config.data.batch_size = batch_size
    for key, value in model.items():
        setattr(config.model, key, value)
    return config


def save(path, pixels):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.asarray(pixels, np.uint8)).save(path)


def test_class_folders_give_labelled_sized_and_stratified_splits(sample_dir):
    data = read_data(config_for(sample_dir))
    assert data.describe() == "60 images of 6 classes at 32x32 RGB: 54 training, 6 validation"
    assert data.class_names == ["circle", "cross", "ring", "square", "star", "triangle"]
    assert sorted(data.val_labels) == [0, 1, 2, 3, 4, 5]
    assert all(
        f"/{data.class_names[label]}/" in path for path, label in zip(data.train_paths, data.train_labels, strict=True)
    )
    assert read_data(config_for(sample_dir)) == data  # the same split for the same seed


def test_drawn_without_classes_the_class_folders_still_label_the_images_for_the_judge(sample_dir):
    data = read_data(config_for(sample_dir, conditional=False))
    assert (data.num_classes, len(data.class_names), sorted(data.val_labels)) == (0, 6, [0, 1, 2, 3, 4, 5])
    assert data.describe() == "60 images of 6 classes (drawn without classes) at 32x32 RGB: 54 training, 6 validation"


def test_webp_files_are_left_out_with_one_warning(sample_dir, tmp_path, capsys):
    for folder in ("circle", "ring"):
        for path in (sample_dir / folder).iterdir():
            save(tmp_path / folder / path.name, np.asarray(Image.open(path)))
    Image.open(sample_dir / "star" / "star_0000.png").save(tmp_path / "ring" / "downloaded.webp")
    data = read_data(config_for(tmp_path))
    assert len(data.train_paths) + len(data.val_paths) == 20
    assert "1 image(s) TensorFlow cannot decode (1 .webp" in capsys.readouterr().err


def test_images_beside_class_folders_are_one_set_without_classes(sample_dir, tmp_path):
    for folder in ("circle", "ring"):
        for path in (sample_dir / folder).iterdir():
            save(tmp_path / folder / path.name, np.asarray(Image.open(path)))
    save(tmp_path / "loose.png", np.zeros((32, 32, 3)))
    with pytest.raises(UserError, match="loose.png"):
        read_data(config_for(tmp_path))
    data = read_data(config_for(tmp_path, conditional=False))
    assert (data.class_names, set(data.train_labels + data.val_labels), len(data.train_paths)) == ([], {0}, 19)


def test_grey_images_of_any_size_set_the_side_and_the_channels(tmp_path):
    for index in range(10):
        save(tmp_path / "photos" / f"{index}.png", np.full((50 + index, 70), 128))  # one folder: no classes
    data = read_data(config_for(tmp_path, batch_size=4))
    assert (data.image_size, data.channels, data.num_classes) == (56, 1, 0)  # median short side 54.5 -> 56


def test_batches_hold_centre_squares_in_minus_one_to_one(tmp_path):
    wide = np.zeros((24, 40, 3))
    wide[:, 8:32] = 255  # the centre square is white, the sides cut off are black
    for index in range(10):
        save(tmp_path / f"{index}.png", wide)
    data = read_data(config_for(tmp_path, batch_size=4))
    data.image_size = 16
    batches = list(image_batches(data.train_paths, data.train_labels, data, 4, training=True, seed=0, flip=True))
    assert len(batches) == 2  # 9 training images: the last, smaller batch is dropped
    batch = batches[0][0]
    assert batch["images"].dtype == "float32" and batch["images"].shape == (4, 16, 16, 3)
    assert np.allclose(batch["images"], 1.0) and batch["labels"].dtype == "int32"


def test_training_batches_reshuffle_each_epoch_and_validation_keeps_its_order(sample_dir):
    data = read_data(config_for(sample_dir))
    train = image_batches(data.train_paths, data.train_labels, data, 54, training=True, seed=0, flip=False)
    first, second = (next(iter(train))[0]["images"].numpy() for _ in range(2))
    assert not np.array_equal(first, second)
    assert np.array_equal(np.sort(first.reshape(54, -1), axis=0), np.sort(second.reshape(54, -1), axis=0))
    val = image_batches(data.val_paths, data.val_labels, data, 4, training=False, seed=0, flip=True)
    images = np.concatenate([batch[0]["images"] for batch in val])
    assert np.array_equal(images, real_images(data.val_paths, data, 10, seed=0))


def test_real_images_are_a_seeded_subset(sample_dir):
    data = read_data(config_for(sample_dir))
    chosen = real_images(data.train_paths, data, 5, seed=3)
    assert chosen.shape == (5, 32, 32, 3) and chosen.min() >= -1.0 and chosen.max() <= 1.0
    assert np.array_equal(chosen, real_images(data.train_paths, data, 5, seed=3))
    assert not np.array_equal(chosen, real_images(data.train_paths, data, 5, seed=4))


def test_held_out_images_come_with_their_own_classes(tmp_path):
    for name, colour in (("blue", (0, 0, 255)), ("red", (255, 0, 0))):
        for index in range(30):
            save(tmp_path / name / f"{index}.png", np.full((16, 16, 3), colour))
    data = read_data(config_for(tmp_path))  # 6 held out
    images, labels = held_out(data, 4, seed=1)
    assert len(labels) == 4 and set(labels) == {0, 1}
    assert np.array_equal(labels, images[:, 0, 0, 0] > 0), "red (label 1) where the red channel is on"
    for index in range(20):
        save(tmp_path / "flat" / f"{index}.png", np.zeros((16, 16, 3)))
    assert held_out(read_data(config_for(tmp_path / "flat")), 4, seed=1)[1] is None, "no class folders: no classes"


def test_each_mistake_is_one_line_that_names_the_fix(tmp_path, sample_dir):
    with pytest.raises(UserError, match="not found: run `sample-data` or set data.dir"):
        read_data(config_for(tmp_path / "missing"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match=r"empty holds no images"):
        read_data(config_for(tmp_path / "empty"))
    with pytest.raises(UserError, match=rf"model.conditional is true but {sample_dir / 'ring'} has no class folders"):
        read_data(config_for(sample_dir / "ring", conditional=True))
    with pytest.raises(UserError, match="54 training image\\(s\\), fewer than data.batch_size 64"):
        read_data(config_for(sample_dir, batch_size=64))


def test_images_beside_class_folders_and_tiny_classes_are_named(tmp_path):
    for index in range(4):
        save(tmp_path / "cats" / f"{index}.png", np.zeros((8, 8, 3)))
    save(tmp_path / "dogs" / "0.png", np.zeros((8, 8, 3)))
    with pytest.raises(UserError, match=rf"^{tmp_path / 'dogs'} holds only 1 image\(s\): too few to split"):
        read_data(config_for(tmp_path, batch_size=2))
    save(tmp_path / "stray.png", np.zeros((8, 8, 3)))
    with pytest.raises(UserError, match=rf"class folders and images beside them \({tmp_path / 'stray.png'}\)"):
        read_data(config_for(tmp_path, batch_size=2))


def test_unreadable_files_are_listed_together(tmp_path):
    for index in range(12):
        save(tmp_path / f"{index:02d}.png", np.zeros((8, 8, 3)))
    for index in range(3):
        (tmp_path / f"{index:02d}.png").write_bytes(b"not a picture")
    with pytest.raises(UserError, match=r"^3 unreadable image\(s\): .*00\.png \(UnidentifiedImageError\); .*Remove or"):
        read_data(config_for(tmp_path, batch_size=2))
