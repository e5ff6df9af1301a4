from {{ cookiecutter.package_name }}.sequence_lengths import cut_count, cut_note, sequence_length


def test_auto_length_is_the_99th_percentile_plus_the_special_tokens_not_the_longest():
    counts = [10] * 990 + [12] * 9 + [300]  # one outlier in a thousand
    assert sequence_length("auto", counts, reserved=2) == 14
    assert cut_count(14, counts, reserved=2) == 1


def test_auto_length_is_capped_by_the_longest_text_and_512():
    assert sequence_length("auto", [3, 4, 5], reserved=1) == 6
    assert sequence_length("auto", [2000] * 10, reserved=2) == 512


def test_a_configured_length_is_kept_and_its_cut_reported():
    counts = [5, 6, 7, 30]
    assert sequence_length(8, counts, reserved=1) == 8
    note = cut_note("data.max_tokens", 8, counts, reserved=1, auto=False)
    assert note.startswith("lengths: 1 of 4 training texts (25.0%) are cut to data.max_tokens 8;")
    windows = cut_note("data.max_tokens", 8, counts, reserved=1, auto=False, windowed=True)
    assert windows.startswith("lengths: 1 of 4 training texts (25.0%) are longer than data.max_tokens 8 and read in")
