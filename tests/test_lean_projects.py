"""A baked project carries only code it runs, and its modules import each other in one direction.

For every template and each of its bake-time variants: every module of the baked package is imported, directly or
not, from the command line (`cli.py`, `__main__.py`); no modules import each other in a circle (imports inside
functions count); and no verb module (`train`, `evaluate`, `predict`, `export`) imports another. Baking takes a
second and nothing is installed, so this runs with the fast tests.
"""

import sys
from pathlib import Path

import pytest
import yaml
from cookiecutter.main import cookiecutter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from module_graph import cycles, import_graph, reachable  # noqa: E402

VERBS = ("train", "evaluate", "predict", "export")
ENTRY_POINTS = ("", "__main__", "cli")  # the package's __init__, `python -m`, the console script


def cases():
    found = []
    for template in sorted(path for path in (ROOT / "templates").iterdir() if (path / "conformance.yaml").is_file()):
        spec = yaml.safe_load((template / "conformance.yaml").read_text())
        found.append(pytest.param((template.name, {}), id=template.name))
        for variant, answers in spec.get("variants", {}).items():
            found.append(pytest.param((template.name, answers.get("context", {})), id=f"{template.name}-{variant}"))
    return found


@pytest.fixture(params=cases())
def package(request, tmp_path):
    """`(package folder, package name)` of a freshly baked project."""
    template, context = request.param
    settings = tmp_path / "cookiecutter.yaml"
    settings.write_text(f"cookiecutters_dir: {tmp_path / 'cookiecutters'}\nreplay_dir: {tmp_path / 'replay'}\n")
    project = Path(
        cookiecutter(
            str(ROOT),
            directory=f"templates/{template}",
            no_input=True,
            extra_context=context,
            output_dir=str(tmp_path / "out"),
            config_file=str(settings),
        )
    )
    return project / "src" / project.name, project.name


def test_every_module_is_imported_from_the_command_line(package):
    folder, name = package
    graph = import_graph(folder, package_name=name)
    assert "cli" in graph and "task" in graph
    unused = sorted(set(graph) - reachable(graph, ENTRY_POINTS))
    assert unused == [], f"modules nothing imports: {unused}"


def test_no_modules_import_each_other_in_a_circle(package):
    folder, name = package
    assert cycles(import_graph(folder, package_name=name)) == []


def test_no_verb_imports_another_verb(package):
    folder, name = package
    graph = import_graph(folder, package_name=name)
    crossing = {verb: sorted(graph[verb] & set(VERBS)) for verb in VERBS if graph.get(verb, set()) & set(VERBS)}
    assert crossing == {}, "what verbs share belongs in a module of its own"
