"""Episode pictures: GIFs that play every frame at the asked speed, the returns chart, and the grid of frames
TensorBoard shows."""

import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }}.episodes import returns_image, write_gif
from {{ cookiecutter.package_name }}.scoring import frame_grid


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


def test_the_frame_grid_fits_a_tensorboard_image_card_in_reading_order():
    frames = [np.full((400, 600, 3), value, dtype=np.uint8) for value in range(0, 250, 25)]  # CartPole's size
    grid = frame_grid(frames)
    assert grid.shape == (3 * (160 + 4), 2 * (240 + 4), 3)  # 6 frames of 240 x 160, framed, 2 to a row
    assert grid.shape[1] <= 735  # TensorBoard's image cards are 335-735 px wide: a frame keeps 160 px or more
    centres = [grid[82 + row * 164, 122 + column * 244, 0] for row in range(3) for column in range(2)]
    assert centres == [0, 25, 75, 125, 175, 225]  # the first and last frames and four between, row by row
