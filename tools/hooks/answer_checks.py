"""Rejects answers that would bake a broken project: one line on stderr, exit status 2, before any file is written.

A cookiecutter local extension (`_extensions` in cookiecutter.json), not a pre-generation hook: cookiecutter follows
a failed hook with its own traceback and "Hook script failed", so the hook's reason would not be the last line. The
last variable of cookiecutter.json, `__answers_checked`, passes the answers through the `checked_answers` filter,
which runs in cookiecutter's own process once they are final (given on the command line, typed at the prompts or
left at their defaults) and before the project folder exists. A choice answer needs no check here: cookiecutter
refuses one that is not among the choices (`engine=foo`) itself, before anything of the template runs.
"""

import keyword
import re
import sys

from jinja2.ext import Extension

NAMES = ("project_slug", "package_name")
SHADOWED = {"keras", "tensorflow", "test", "tests", "runtime", "callbacks", "datasets"}  # modules the project imports


def problem(name, value):
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", value):
        return (
            f"{name} {value!r} must be a valid Python identifier in lower case "
            f"(letters, digits, underscores; not starting with a digit)"
        )
    if keyword.iskeyword(value):
        return f"{name} {value!r} is a Python keyword; choose another name"
    if value in SHADOWED:
        return f"{name} {value!r} would shadow a module the project imports; choose another name"
    return None


def checked_answers(answers):
    """`yes` when every name in `answers` (the cookiecutter dict) is sound; else prints the reason and exits 2."""
    for name in NAMES:
        reason = problem(name, answers[name])
        if reason:
            print(f"error: {reason}", file=sys.stderr)
            sys.exit(2)  # cookiecutter prints a traceback for any exception, and lets SystemExit through
    return "yes"


class AnswerChecks(Extension):
    """Gives cookiecutter.json the `checked_answers` filter."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["checked_answers"] = checked_answers
