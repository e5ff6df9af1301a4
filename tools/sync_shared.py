"""Places the shared code (runtime/, callbacks/, datasets/) into every template's package, the shared
cookiecutter hooks (tools/hooks/) into every template's hooks/, and the project files every generated
project has alike (tools/project/: Makefile, pre-commit and CI settings) into its project folder. (Not
.gitignore: git refuses to read a .gitignore that is a symlink, so each template keeps its own.)

Each shared file becomes a per-file symlink inside `templates/<task>/{{cookiecutter.project_slug}}/src/
{{cookiecutter.package_name}}/<folder>/` (or `templates/<task>/hooks/`): cookiecutter copies symlinked files
(but not symlinked folders), and a link cannot drift from its source. `--check` reports what is missing, stale or extra
instead of fixing it, and exits 1 when anything is.

    python tools/sync_shared.py           # make the links
    python tools/sync_shared.py --check   # test: every template matches the source
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ("runtime", "callbacks", "datasets")
PACKAGE = Path("{{cookiecutter.project_slug}}", "src", "{{cookiecutter.package_name}}")
HOOKS = ROOT / "tools" / "hooks"
PROJECT_FILES = ROOT / "tools" / "project"


def shared_files():
    """Paths relative to the repository root, e.g. runtime/config.py."""
    files = []
    for folder in SHARED:
        files += sorted(path.relative_to(ROOT) for path in (ROOT / folder).rglob("*.py")
                        if "__pycache__" not in path.parts)
    return files


def templates():
    return sorted(path for path in (ROOT / "templates").iterdir() if (path / "cookiecutter.json").is_file())


def expected_links(template):
    """`{link path: relative target}` for one template."""
    links = {}
    for relative in shared_files():
        link = template / PACKAGE / relative
        links[link] = Path(os.path.relpath(ROOT / relative, link.parent))
    for hook in sorted(HOOKS.glob("*.py")):
        link = template / "hooks" / hook.name
        links[link] = Path(os.path.relpath(hook, link.parent))
    for source in sorted(path for path in PROJECT_FILES.rglob("*") if path.is_file()):
        link = template / PACKAGE.parts[0] / source.relative_to(PROJECT_FILES)
        links[link] = Path(os.path.relpath(source, link.parent))
    return links


def problems(template):
    expected = expected_links(template)
    found = []
    for link, target in expected.items():
        if not link.is_symlink():
            found.append(f"missing link {link.relative_to(ROOT)}")
        elif Path(os.readlink(link)) != target:
            found.append(f"link {link.relative_to(ROOT)} points to {os.readlink(link)}, expected {target}")
    homes = [*((template / PACKAGE / name, f"{name}/") for name in SHARED), (template / "hooks", "tools/hooks/")]
    for folder, home in homes:
        if folder.is_dir():
            for path in folder.rglob("*"):
                if (path.is_file() or path.is_symlink()) and path not in expected and "__pycache__" not in path.parts:
                    found.append(f"extra file {path.relative_to(ROOT)} (shared code lives in {home} at the root)")
    return found


def sync(template):
    for root in [*(template / PACKAGE / folder for folder in SHARED), template / "hooks"]:
        if root.is_dir():
            for path in root.rglob("*"):
                if path.is_symlink():
                    path.unlink()
    for link, target in expected_links(template).items():
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():  # a project file copied by hand gives way to its link
            link.unlink()
        link.symlink_to(target)


def main(argv):
    if "--check" in argv:
        found = [problem for template in templates() for problem in problems(template)]
        for line in found:
            print(line)
        return 1 if found else 0
    for template in templates():
        sync(template)
        print(f"synced {template.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
