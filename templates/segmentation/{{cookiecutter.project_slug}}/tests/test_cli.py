from {{ cookiecutter.package_name }}.cli import main


def test_summary_shows_the_unet_halving_down_and_doubling_up_with_skips(capsys):
    main(["summary", "--classes", "3", "data.image_size=64", "model.filters=[8, 16, 32]"])
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:-1]}
    assert "(None, 64, 64, 8)" in rows["down1_relu2"] and "(None, 32, 32, 8)" in rows["down1_pool"]
    assert "(None, 8, 8, 64)" in rows["bottleneck_relu2"]  # three poolings: 64 / 2**3, twice the last width
    assert "(None, 16, 16, 32)" in rows["up1_upsample"]
    assert "(None, 16, 16, 64)" in rows["up1_concat"]  # 32 upsampled + 32 from down3's skip
    assert "(None, 64, 64, 3)" in rows["probabilities"]
    assert rows["logits"].split()[-1] == "27"  # 1 x 1 conv: 8 * 3 + 3
