"""Your own data: a broken file or a CSV in another encoding ends in one line that says what to do."""

import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }}.cli import main
from {{ cookiecutter.package_name }}.datasets.image_files import check_images, read_csv, read_folder
from {{ cookiecutter.package_name }}.runtime.errors import UserError


def test_a_csv_not_in_utf8_names_its_line_and_how_to_resave_it(tmp_path, capsys):
    listing = tmp_path / "labels.csv"
    rows = "path,label\ncircle/circle_000.png,circle\nstar/star_000.png,café\n"
    listing.write_bytes(rows.encode("cp1252"))  # what a spreadsheet saves as plain "CSV" on Windows
    with pytest.raises(SystemExit) as stopped:
        # float32: `train` sets the precision policy before it reads the data, and the policy outlives this test
        main(["train", f"data.csv={listing}", f"run.dir={tmp_path / 'runs'}", "train.precision=float32"])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: {listing} line 3 is not UTF-8 (byte 0xe9): "
        're-save the file with UTF-8 encoding (in Excel: "CSV UTF-8")'
    ]
    assert not (tmp_path / "runs").exists()

    listing.write_bytes(rows.encode("utf-8-sig"))  # Excel's "CSV UTF-8" starts with a byte-order mark
    paths, labels, names = read_csv(listing)
    assert names == ["café", "circle"] and labels == [1, 0]
    assert paths[0] == str(tmp_path / "circle/circle_000.png")


def test_a_truncated_jpeg_is_named_before_training(tmp_path):
    noise = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    for shape in ("circle", "star"):
        (tmp_path / shape).mkdir()
        for index in range(2):
            Image.fromarray(noise).save(tmp_path / shape / f"{index}.jpg")
    cut = tmp_path / "star" / "1.jpg"
    cut.write_bytes(cut.read_bytes()[: cut.stat().st_size // 2])  # the header survives: only decoding finds it
    paths, _, _ = read_folder(tmp_path)
    with pytest.raises(UserError, match=rf"^1 unreadable image\(s\): {cut} \(OSError\)\. Remove or replace them$"):
        check_images(paths)
