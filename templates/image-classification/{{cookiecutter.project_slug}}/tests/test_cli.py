from {{ cookiecutter.package_name }}.cli import main


def summary_rows(capsys, *overrides):
    main(["summary", "--classes", "3", *overrides])
    lines = capsys.readouterr().out.splitlines()
    return {line.split()[0]: line for line in lines[1:-1]}


def test_summary_shows_each_block_by_the_conv_arithmetic(capsys):
    rows = summary_rows(
        capsys,
        "data.image_size=64",
        "model.blocks=[{filters: 8, kernel_size: 5, stride: 2, padding: valid, pool: average}]",
    )
    # floor((64 - 5 + 2 * 0) / 2) + 1 = 30, then 2x2 average pooling: 15
    assert "(None, 30, 30, 8)" in rows["block1_conv"] and rows["block1_conv"].split()[-1] == "600"  # 5*5*3*8
    assert "(None, 15, 15, 8)" in rows["block1_pool"]
    assert rows["logits"].split()[-1] == "27"  # 8 * 3 + 3
