from {{ cookiecutter.package_name }}.cli import main


def test_summary_shows_the_pyramid_and_one_row_per_anchor(capsys):
    main(
        [
            "summary",
            "--classes",
            "3",
            "data.image_size=128",
            "anchors.min_level=3",
            "anchors.max_level=5",
            "anchors.aspect_ratios=[1.0]",
            "anchors.num_scales=2",
        ]
    )
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:-1]}
    assert "(None, 16, 16, 64)" in rows["pyramid_out3"] and "(None, 4, 4, 64)" in rows["pyramid_out5"]
    assert "(None, 672, 3)" in rows["labels"]  # (16 x 16 + 8 x 8 + 4 x 4) locations x 2 anchors, 3 classes
    assert "(None, 672, 4)" in rows["boxes_all"]


def test_anchors_prints_each_level_the_total_and_the_recall_and_draws_a_location(sample_dir, tmp_path, capsys):
    picture = sample_dir / "images" / "scene_000.png"
    main(
        [
            "anchors",
            f"data.images_dir={sample_dir / 'images'}",
            f"data.annotations={sample_dir / 'annotations.json'}",
            "data.image_size=64",
            "anchors.min_level=3",
            "anchors.max_level=5",
            "anchors.size=2",
            "anchors.aspect_ratios=[0.5, 1.0, 2.0]",
            "--draw",
            str(picture),
            "--output",
            str(tmp_path / "a.png"),
        ]
    )
    lines = capsys.readouterr().out.splitlines()
    rows = {line.split()[0]: line.split() for line in lines if line.startswith(("P3", "P4", "P5", "total"))}
    assert rows["P3"][-1] == str(8 * 8 * 9) and rows["P4"][-1] == str(4 * 4 * 9) and rows["P5"][-1] == str(2 * 2 * 9)
    assert rows["total"][-1] == str((64 + 16 + 4) * 9)
    assert any(line.startswith("anchor recall at IoU 0.5:") for line in lines)
    assert (tmp_path / "a.png").is_file()
