from {{ cookiecutter.package_name }}.cli import main


def parameters(capsys, *overrides):
    main(["summary", *overrides])
    lines = capsys.readouterr().out.splitlines()[1:]
    return {line.split()[0]: int(line.split()[-1].replace(",", "")) for line in lines}


def test_summary_counts_the_q_network(capsys):
    rows = parameters(capsys, "network.hidden_units=[8]")
    assert rows["hidden_1"] == 4 * 8 + 8 and rows["q_values"] == 8 * 2 + 2  # CartPole: 4 numbers in, 2 actions
    assert rows["total"] == 40 + 18
{%- if cookiecutter.engine == "keras" %}
    dueling = parameters(capsys, "--actions", "3", "network.hidden_units=[8]", "network.dueling=true")
    assert dueling["q_values"] == (8 + 1) + (8 * 3 + 3)  # the value stream, and one advantage per action
{%- endif %}
