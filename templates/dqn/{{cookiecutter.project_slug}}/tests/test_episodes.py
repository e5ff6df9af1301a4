"""Episode pictures: GIFs that play every frame at the asked speed, and the returns chart."""

import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }}.episodes import returns_image, write_gif


def test_a_gif_holds_every_frame_at_the_asked_speed(tmp_path):
    frames = [np.full((12, 16, 3), value, dtype=np.uint8) for value in (0, 120, 250)]
    write_gif(frames, tmp_path / "episode.gif", fps=25)
    with Image.open(tmp_path / "episode.gif") as gif:
        assert gif.n_frames == 3 and gif.size == (16, 12)
        assert gif.info["duration"] == 40 and gif.info["loop"] == 0
        gif.seek(2)
        assert np.asarray(gif.convert("RGB"))[0, 0].tolist() == [250, 250, 250]
    assert [path.name for path in tmp_path.iterdir()] == ["episode.gif"]  # no temporary file left behind


def test_no_frames_is_an_error_not_an_empty_file(tmp_path):
    with pytest.raises(ValueError, match="no frames"):
        write_gif([], tmp_path / "episode.gif")
    assert not (tmp_path / "episode.gif").exists()


def test_the_returns_chart_draws_with_and_without_evaluations():
    steps = np.arange(1, 41) * 50
    returns = np.linspace(10, 400, 40)
    with_evaluations = returns_image(steps, returns, [1000, 2000], [200.0, 480.0], target=475)
    alone = returns_image(steps[:3], returns[:3])  # too few episodes for the moving average
    for image in (with_evaluations, alone):
        assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[-1] == 3
