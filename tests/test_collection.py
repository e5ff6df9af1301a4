"""Baking the collection through every cookiecutter entry point, fast and offline.

The root menu, `--directory` with a relative and an absolute path, a git URL, `cruft create` and
pytest-cookies each find the template differently; each must give a complete project whose shared
code (runtime/, callbacks/, datasets/) arrived as real files equal to the source at the root.
"""

import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers_bake import (
    BIN,
    JINJA_MARKS,
    REPO,
    SHARED,
    TEMPLATE,
    TEMPLATE_DIRECTORY,
    assert_shared_code_copied,
    commit_working_tree,
    cookiecutter,
    isolated_env,
    ok,
    run,
    text_files,
    unrendered_jinja,
)

DEFAULT_SLUG = "image_classifier"  # what the defaults of image-classification bake


@pytest.fixture
def env(tmp_path):
    return isolated_env(tmp_path / "home")


@dataclass
class GitSnapshot:
    bare_repo: Path  # what the git URL points to
    commit: str
    checkout: Path  # its files, to compare a bake with (the working tree may have moved on since)


@pytest.fixture(scope="module")
def git_snapshot(tmp_path_factory):
    """The working tree committed to a bare repository: lets the git-URL tests run before anything is committed."""
    base = tmp_path_factory.mktemp("git")
    env = isolated_env(base / "home")
    commit = commit_working_tree(base / "repo.git", env)
    ok(run(["git", "clone", "--quiet", base / "repo.git", base / "checkout"], env=env))
    return GitSnapshot(base / "repo.git", commit, base / "checkout")


def assert_complete(project, package=DEFAULT_SLUG, source=REPO):
    assert project.is_dir(), f"{project} was not baked"
    assert_shared_code_copied(project / "src" / package, source)
    assert unrendered_jinja(project) == []


# Entry points


@pytest.fixture(scope="module")
def menu_project(tmp_path_factory):
    """The root menu with --no-input, which takes the first template; shared by the tests that inspect one project."""
    base = tmp_path_factory.mktemp("menu")
    ok(cookiecutter(REPO, "--no-input", "-o", base / "out", env=isolated_env(base / "home")))
    return base / "out" / DEFAULT_SLUG


def test_root_menu_bakes_the_first_template(menu_project):
    """`cookiecutter <repo>` is the command the README gives; the menu entry must point at a working template."""
    assert_complete(menu_project)


@pytest.mark.parametrize("relative", [True, False], ids=["relative", "absolute"])
@pytest.mark.parametrize("use_directory", [True, False], ids=["repo-with-directory", "template-folder"])
def test_local_path(tmp_path, env, relative, use_directory):
    """Hooks and the copy of shared files must not depend on how the user spelled the path."""
    target = REPO if use_directory else TEMPLATE
    template = os.path.relpath(target, tmp_path) if relative else str(target)
    directory = ["--directory", TEMPLATE_DIRECTORY] if use_directory else []
    ok(cookiecutter(template, *directory, "--no-input", "-o", "out", env=env, cwd=tmp_path))
    assert_complete(tmp_path / "out" / DEFAULT_SLUG)


@pytest.mark.parametrize("scheme", ["file://", "git+file://"])
def test_git_url(tmp_path, env, git_snapshot, scheme):
    """A clone has real symlinks to the root folders; the bake must still copy their content."""
    ok(
        cookiecutter(
            f"{scheme}{git_snapshot.bare_repo}",
            "--directory",
            TEMPLATE_DIRECTORY,
            "--no-input",
            "-o",
            tmp_path / "out",
            env=env,
        )
    )
    assert_complete(tmp_path / "out" / DEFAULT_SLUG, source=git_snapshot.checkout)
    clone = tmp_path / "home" / "cookiecutters" / "repo"
    assert clone.is_dir(), "the clone should go to the temporary config's dir"


def test_cruft_create(tmp_path, env, git_snapshot):
    """cruft clones on its own and passes no _repo_dir; its .cruft.json must let `cruft update` find the template."""
    url = f"file://{git_snapshot.bare_repo}"
    output = tmp_path / "out"
    ok(
        run(
            [BIN / "cruft", "create", url, "--directory", TEMPLATE_DIRECTORY, "--no-input", "--output-dir", output],
            env=env,
        )
    )
    project = output / DEFAULT_SLUG
    assert_complete(project, source=git_snapshot.checkout)
    state = json.loads((project / ".cruft.json").read_text())
    assert state["template"].endswith("repo.git")
    assert state["commit"] == git_snapshot.commit
    assert state["directory"] == TEMPLATE_DIRECTORY
    assert state["context"]["cookiecutter"]["package_name"] == DEFAULT_SLUG


def test_pytest_cookies(cookies, monkeypatch):
    """The way a template author's own tests bake. pytest-cookies 0.7 renders cookiecutter.json once itself without
    putting the template folder on sys.path, as cookiecutter and cruft do, so the answers extension is not found
    there unless the test puts it on the path."""
    monkeypatch.syspath_prepend(TEMPLATE)
    result = cookies.bake(template=str(TEMPLATE), extra_context={"project_name": "Cookie Jar"})
    assert result.exit_code == 0, result.exception
    assert result.project_path.name == "cookie_jar"
    assert_complete(result.project_path, package="cookie_jar")


# Answers


@pytest.mark.parametrize(
    ("template", "answer", "reason"),
    [
        ("image-classification", "project_slug=my-project", "project_slug 'my-project' must be a valid Python"),
        ("segmentation", "project_slug=1abc", "project_slug '1abc' must be a valid Python"),
        ("seq2seq", "project_name=class", "project_slug 'class' is a Python keyword; choose another name"),
        ("dqn", "project_name=Class", "project_slug 'class' is a Python keyword; choose another name"),
        ("dqn", "package_name=keras", "package_name 'keras' would shadow a module the project imports"),
    ],
)
def test_a_bad_name_ends_in_our_line_alone(tmp_path, env, template, answer, reason):
    """The answers extension (tools/hooks/answer_checks.py) stops the bake in cookiecutter's own process, before the
    project folder exists: our line is all the output, with no traceback of cookiecutter's after it."""
    args = (".", "--directory", f"templates/{template}", "--no-input", "-o", tmp_path / "out", answer)
    result = cookiecutter(*args, env=env, cwd=REPO)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {reason}")
    assert not (tmp_path / "out").exists()


def test_a_choice_that_does_not_exist_ends_in_the_line_naming_the_choices(tmp_path, env):
    """cookiecutter 2.7 refuses `engine=foo` itself, while it reads cookiecutter.json, before any extension or hook of
    the template runs; its command line does not catch that ValueError, so a traceback comes first. The last line
    still names the answer and the choices, and nothing is baked."""
    args = (".", "--directory", "templates/dqn", "--no-input", "-o", tmp_path / "out", "engine=foo")
    result = cookiecutter(*args, env=env, cwd=REPO)
    assert result.returncode != 0
    assert (result.stdout + result.stderr).strip().splitlines()[-1] == (
        "ValueError: foo provided for choice variable engine, but the choices are ['keras', 'tf-agents']."
    )
    assert not (tmp_path / "out").exists()


def test_a_custom_name_is_accepted(tmp_path, env):
    """The answers extension must not reject what the defaults derive from a name with a space and capitals."""
    ok(cookiecutter(TEMPLATE, "--no-input", "-o", tmp_path / "out", "project_name=Flower Sorter", env=env))
    assert_complete(tmp_path / "out" / "flower_sorter", package="flower_sorter")


# Shared code and its links


def test_templates_match_shared_code():
    """Every template links the shared files it imports, and nothing else: what the bakes above copy is the source."""
    result = run([sys.executable, REPO / "tools" / "sync_shared.py", "--check"], env=os.environ)
    assert result.returncode == 0, result.stdout + result.stderr


LINK_FOLDER = "templates/image-classification/{{cookiecutter.project_slug}}/src/{{cookiecutter.package_name}}/runtime"


def remove_link(root):
    (root / LINK_FOLDER / "config.py").unlink()
    return "runtime/config.py"


def add_extra_file(root):
    (root / LINK_FOLDER / "extra.py").write_text("VALUE = 1\n")
    return "runtime/extra.py"


def point_link_elsewhere(root):
    link = root / LINK_FOLDER / "config.py"
    target = os.readlink(link)
    link.unlink()
    link.symlink_to(target.replace("config.py", "seed.py"))
    return "runtime/config.py"


def import_without_sync(root):
    """The template's code starts importing a shared module it has no link to."""
    (root / "runtime" / "new_helper.py").write_text("VALUE = 1\n")
    with (root / LINK_FOLDER.rpartition("/")[0] / "data.py").open("a") as data:
        data.write("\nfrom .runtime import new_helper  # noqa: E402, F401\n")
    return "runtime/new_helper.py"


def link_unused_module(root):
    """A link to a shared module nothing in the template imports (the DQN template builds no image backbone)."""
    folder = root / LINK_FOLDER.replace("image-classification", "dqn")
    (folder / "backbones.py").symlink_to(os.path.relpath(root / "runtime" / "backbones.py", folder))
    return "runtime/backbones.py"


def edit_hook_copy(root):
    hook = root / "templates" / "image-classification" / "hooks" / "post_gen_project.py"
    hook.write_text(hook.read_text() + "# edited here\n")
    return "hooks/post_gen_project.py"


def remove_extension_copy(root):
    """The answers extension lives beside cookiecutter.json, where cookiecutter imports it from."""
    (root / "templates" / "dqn" / "answer_checks.py").unlink()
    return "templates/dqn/answer_checks.py"


def repository_copy(tmp_path):
    """The parts of the repository `sync_shared.py` reads, copied with their links."""
    root = tmp_path / "repo"
    for folder in ("tools", "templates", *SHARED):
        shutil.copytree(REPO / folder, root / folder, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    assert run([sys.executable, root / "tools" / "sync_shared.py", "--check"], env=os.environ).returncode == 0
    return root


@pytest.mark.parametrize(
    "drift",
    [
        remove_link,
        add_extra_file,
        point_link_elsewhere,
        import_without_sync,
        link_unused_module,
        edit_hook_copy,
        remove_extension_copy,
    ],
)
def test_drift_is_caught_and_named(tmp_path, drift):
    """A template whose copy of the shared code went stale must fail `--check`, naming the file to fix."""
    root = repository_copy(tmp_path)
    named = drift(root)
    result = run([sys.executable, root / "tools" / "sync_shared.py", "--check"], env=os.environ)
    assert result.returncode == 1, result.stdout
    assert named in result.stdout


@pytest.mark.parametrize(
    "drift",
    [remove_link, point_link_elsewhere, import_without_sync, link_unused_module, edit_hook_copy, remove_extension_copy],
)
def test_sync_mends_drift(tmp_path, drift):
    root = repository_copy(tmp_path)
    drift(root)
    ok(run([sys.executable, root / "tools" / "sync_shared.py"], env=os.environ))
    assert run([sys.executable, root / "tools" / "sync_shared.py", "--check"], env=os.environ).returncode == 0


def test_sync_refuses_to_replace_a_real_file_with_a_link(tmp_path):
    """A shared file edited in a template's folder (a real file where the link was) is someone's work: sync keeps it
    and says so."""
    root = repository_copy(tmp_path)
    edited = root / LINK_FOLDER / "config.py"
    text = edited.read_text() + "# edited in the template\n"
    edited.unlink()
    edited.write_text(text)
    result = run([sys.executable, root / "tools" / "sync_shared.py"], env=os.environ)
    assert result.returncode == 1
    assert "refused to replace" in result.stderr and "runtime/config.py" in result.stderr
    assert not edited.is_symlink() and edited.read_text() == text


def test_clone_without_symlinks_stops_in_one_line(tmp_path, env, git_snapshot):
    """Git on Windows (core.symlinks=false) checks each link out as a text file naming its target: the bake must
    stop with one line saying how to clone, and leave no broken project behind."""
    clone = tmp_path / "clone"
    ok(run(["git", "clone", "--quiet", "-c", "core.symlinks=false", git_snapshot.bare_repo, clone], env=env))
    makefile = clone / TEMPLATE_DIRECTORY / "{{cookiecutter.project_slug}}" / "Makefile"
    assert makefile.is_file() and not makefile.is_symlink()
    result = cookiecutter(clone, "--directory", TEMPLATE_DIRECTORY, "--no-input", "-o", tmp_path / "out", env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    hook_lines = result.stderr.strip().splitlines()
    assert len(hook_lines) == 1 and hook_lines[0].startswith("error: "), result.stderr
    assert "core.symlinks true" in hook_lines[0]
    assert not any((tmp_path / "out").iterdir())


def test_shared_code_has_no_jinja():
    """Shared files are copied without rendering; keeping them Jinja-free means a rendering copy would not break."""
    found = [
        str(path.relative_to(REPO))
        for folder in SHARED
        for path, text in text_files(REPO / folder)
        if any(mark in text for mark in JINJA_MARKS)
    ]
    assert found == []


# The baked project itself


def test_baked_project_passes_ruff(menu_project, env):
    """The project's own lint config must pass on what it ships, or its CI fails on the first push."""
    assert (menu_project / "pyproject.toml").is_file(), "the baked project has no pyproject.toml"
    result = run([BIN / "ruff", "check", "--no-cache", "."], env=env, cwd=menu_project)
    assert result.returncode == 0, result.stdout + result.stderr
