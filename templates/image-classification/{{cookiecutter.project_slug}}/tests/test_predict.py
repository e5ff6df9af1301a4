import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }}.config import load
from {{ cookiecutter.package_name }}.model import build_model
from {{ cookiecutter.package_name }}.predict import grad_cam, predict
from {{ cookiecutter.package_name }}.runtime.rundir import open_run


def brightness_detector():
    """A one-block CNN whose channel 0 fires on bright pixels and whose class "bright" reads channel 0.

    Its Grad-CAM for "bright" must therefore light up where the image is bright, and nowhere else.
    """
    config = load(
        "configs/default.yaml", ["model.blocks=[{filters: 2, kernel_size: 3, pool: none}]", "model.dropout=0"]
    )
    model = build_model(config, ["bright", "dark"], image_size=32)
    kernel = np.zeros((3, 3, 3, 2), dtype="float32")
    kernel[..., 0] = 1.0 / 27  # channel 0: the local mean brightness; channel 1: silent
    model.get_layer("block1_conv").set_weights([kernel])
    model.get_layer("logits").set_weights([np.eye(2, dtype="float32"), np.zeros(2, dtype="float32")])
    return model


def test_grad_cam_points_at_the_evidence():
    image = np.zeros((32, 32, 3), dtype="float32")
    image[2:10, 20:30] = 255.0  # a bright patch in the top right corner
    heat_map = grad_cam(brightness_detector(), image, class_index=0)
    assert heat_map.shape == (32, 32)
    assert heat_map.min() >= 0.0 and heat_map.max() == pytest.approx(1.0, abs=1e-3)
    row, column = np.unravel_index(heat_map.argmax(), heat_map.shape)
    assert 2 <= row < 10 and 20 <= column < 30
    assert heat_map[20:, :16].max() == 0.0  # the dark bottom left holds no evidence


def test_predict_writes_a_table_and_heat_maps_beside_it(sample_dir, tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "config.yaml").write_text("{}\n")
    brightness_detector().save(run_dir / "model.keras")
    images = sorted((sample_dir / "circle").iterdir())[:2]
    table = predict(open_run(run_dir), [str(path) for path in images], tmp_path / "out", explain=True)
    rows = table.read_text().splitlines()
    assert rows[0].startswith("path,class,probability") and len(rows) == 3
    for path in images:
        with Image.open(tmp_path / "out" / f"gradcam_{path.stem}.png") as overlay, Image.open(path) as picture:
            assert overlay.size == picture.size
