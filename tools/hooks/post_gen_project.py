"""Stops with one line, and leaves no project behind, when the template's symlinks arrived as small text files.

The templates share their code through symlinks. Where git has no symlink support (Windows without Developer
Mode, or `core.symlinks=false`), it checks each link out as a text file holding the link's target, and the
project would hold `../../../runtime/config.py` where its shared modules belong. The check runs after the files
are written because only then does a hook see them: a pre-generation hook is not told where the template is
(cruft passes no template folder, and a relative one is relative to a directory the hook cannot know). When this
hook fails, cookiecutter deletes the project.

It also deletes the shared modules that the project's bake-time answers do not need: a template whose choices keep
different modules of its own (the text-transformers template's `model_family`) links the shared modules any
choice needs, and `tools/sync_shared.py` lists in each template's copy of this hook which of them only some
answers need (`SHARED_ONLY_WHEN`).
"""

import json
import sys
from pathlib import Path

SHARED_FILES = ["Makefile", ".pre-commit-config.yaml", ".github/workflows/ci.yml"]


def link_stubs(project):
    """Files of the project that hold nothing but a relative path: symlinks git wrote out as text."""
    candidates = [path for path in Path(project, "src").rglob("*.py")] + [Path(project, name) for name in SHARED_FILES]
    stubs = []
    for path in candidates:
        if path.is_file() and path.stat().st_size < 300:
            text = path.read_text(encoding="utf-8", errors="replace").strip()
            if text.startswith("../") and "\n" not in text:
                stubs.append(path)
    return stubs


# {shared file under the package: [the answers that need it]}, filled in by tools/sync_shared.py per template
SHARED_ONLY_WHEN = {}
ANSWERS = json.loads(r"""{{ cookiecutter | jsonify }}""")
PACKAGE = Path("src", ANSWERS["package_name"])


def unneeded_shared_files(package, answers):
    """The shared files of `package` that no answer set of `SHARED_ONLY_WHEN` matching `answers` needs."""
    return [
        package / path
        for path, needed_by in SHARED_ONLY_WHEN.items()
        if not any(all(answers.get(key) == value for key, value in needed.items()) for needed in needed_by)
    ]


stubs = link_stubs(Path.cwd())
if stubs:
    print(
        f"error: {len(stubs)} files of this template ({stubs[0].name}, ...) are symlinks that git checked out as "
        f"text files, so the project would lack its shared code: turn symlinks on (git config --global "
        f"core.symlinks true; on Windows, with Developer Mode on) and clone the templates again",
        file=sys.stderr,
    )
    sys.exit(1)
for path in unneeded_shared_files(PACKAGE, ANSWERS):
    path.unlink()
