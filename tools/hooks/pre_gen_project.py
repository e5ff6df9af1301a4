"""Rejects answers that would bake a broken project, with a one-line reason."""

import keyword
import re
import sys

ANSWERS = {
    "project_slug": "{{ cookiecutter.project_slug }}",
    "package_name": "{{ cookiecutter.package_name }}",
}


def problem(name, value):
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", value):
        return (f"{name} {value!r} must be a valid Python identifier in lower case "
                f"(letters, digits, underscores; not starting with a digit)")
    if keyword.iskeyword(value):
        return f"{name} {value!r} is a Python keyword; choose another name"
    if value in {"keras", "tensorflow", "test", "tests", "runtime", "callbacks", "datasets"}:
        return f"{name} {value!r} would shadow a module the project imports; choose another name"
    return None


for name, value in ANSWERS.items():
    reason = problem(name, value)
    if reason:
        print(f"error: {reason}", file=sys.stderr)
        sys.exit(1)
