"""Helpers for the tests that bake templates: run cookiecutter, cruft and git in isolation, inspect a baked project.

Every command gets its own HOME and cookiecutter config, so no test reads or writes the user's
~/.cookiecutters, ~/.cookiecutter_replay or git config.
"""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "templates" / "image-classification"
TEMPLATE_DIRECTORY = "templates/image-classification"  # what users pass to --directory
SHARED = ("runtime", "callbacks", "datasets")
BIN = Path(sys.executable).parent  # the venv's scripts: cruft, ruff
JINJA_MARKS = ("{{", "{%", "{#")


def isolated_env(home):
    """Environment for a subprocess whose home, cookiecutter dirs and git identity all live under `home`."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "cookiecutter.yaml"
    config.write_text(f"cookiecutters_dir: {home / 'cookiecutters'}\nreplay_dir: {home / 'replay'}\n")
    return {
        **os.environ,
        "HOME": str(home),
        "COOKIECUTTER_CONFIG": str(config),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
    }


def run(args, env, cwd=None):
    return subprocess.run([str(arg) for arg in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def cookiecutter(*args, env, cwd=None):
    """`cookiecutter ARGS` through this interpreter, so the test does not depend on PATH."""
    return run([sys.executable, "-m", "cookiecutter", *args], env=env, cwd=cwd)


def ok(result):
    """Asserts a finished command succeeded, showing its output when it did not."""
    assert result.returncode == 0, f"{result.args} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def linked_shared_files(template, root=REPO):
    """The shared files template `template` links (relative paths such as runtime/config.py): what it imports."""
    package = root / "templates" / template / "{{cookiecutter.project_slug}}" / "src" / "{{cookiecutter.package_name}}"
    return sorted(
        path.relative_to(package) for folder in SHARED for path in (package / folder).rglob("*.py") if path.is_symlink()
    )


def assert_shared_code_copied(package_dir, source=REPO, template=TEMPLATE.name):
    """The project's package holds the shared files its template links, and no others, each as a regular file equal
    to its source in the repository at `source` (not a symlink, which would dangle once that repository is gone)."""
    expected = linked_shared_files(template, source)
    assert expected, "the template links no shared file"
    for relative in expected:
        copied = package_dir / relative
        assert copied.is_file() and not copied.is_symlink(), f"{copied} is missing or a symlink"
        assert copied.read_bytes() == (source / relative).read_bytes(), f"{copied} differs from {relative}"
    shipped = sorted(
        path.relative_to(package_dir)
        for folder in SHARED
        for path in (package_dir / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )
    assert shipped == expected, "the project ships shared files its template does not use"


def text_files(root):
    """`(path, text)` for every UTF-8 text file under root."""
    for path in sorted(root.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if b"\0" in data:
                continue
            try:
                yield path, data.decode("utf-8")
            except UnicodeDecodeError:
                continue


def unrendered_jinja(project):
    """Paths (relative to the project) of names or text files that still hold `{{` or `{%`, outside .github/."""
    found = [str(path.relative_to(project)) for path in project.rglob("*") if "{{" in path.name or "{%" in path.name]
    for path, text in text_files(project):
        relative = path.relative_to(project)
        if relative.parts[0] != ".github" and ("{{" in text or "{%" in text):
            found.append(str(relative))
    return found


def commit_working_tree(bare_repo, env):
    """Commits the working tree as it is now (untracked files and symlinks included, .gitignore honoured) into a
    new bare repository, without touching the real .git. Returns the commit's hash."""
    git = ["git", f"--git-dir={bare_repo}", f"--work-tree={REPO}"]
    ok(run(["git", "init", "--quiet", "--bare", "--initial-branch=main", bare_repo], env=env))
    with (bare_repo / "info" / "exclude").open("a") as exclude:
        exclude.write(".venv/\n__pycache__/\n.pytest_cache/\n.ruff_cache/\n")
    ok(run([*git, "add", "--all"], env=env))
    ok(run([*git, "commit", "--quiet", "--no-verify", "-m", "snapshot of the working tree"], env=env))
    return ok(run([*git, "rev-parse", "HEAD"], env=env)).stdout.strip()
