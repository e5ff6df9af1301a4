"""Which modules of a package import which: read from the import lines, so it works on templates (Jinja inside)
and on baked projects alike.

A module is named by its dotted path inside the package: `cli`, `runtime.training`, `runtime` (its `__init__.py`).
Imports inside functions count. `tools/sync_shared.py` uses it to give each template the shared modules its
code reaches, and the tests use it to show that every module of a baked project is reached from its command line
and that no two modules import each other in a circle.

    graph = import_graph(package_dir)              # {"cli": {"runtime.cli", "task"}, ...}
    reachable(graph, ["cli"])                      # every module `cli` imports, directly or not
    cycles(graph)                                  # [] or the modules of each circle
"""

import re
from pathlib import Path

# `from .x.y import a, b` / `from . import (a,\n b)` / `from package.x import a`, at any indentation.
IMPORT = re.compile(r"^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]+)", re.MULTILINE)


def module_name(path, package_dir):
    """`runtime/cli.py` -> `runtime.cli`; `runtime/__init__.py` -> `runtime`; `__init__.py` -> ``."""
    parts = list(path.relative_to(package_dir).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules_of(package_dir, folders=None):
    """`{module name: path}` of every Python file under `package_dir` (or only under its sub-folders `folders`)."""
    package_dir = Path(package_dir)
    roots = [package_dir / folder for folder in folders] if folders else [package_dir]
    return {
        module_name(path, package_dir): path
        for root in roots
        for path in sorted(root.rglob("*.py"))
        if "__pycache__" not in path.parts
    }


def imported_names(text):
    """`(dots, module, [names])` of each `from ... import ...` line of `text`."""
    found = []
    for dots, module, names in IMPORT.findall(text):
        names = [name.split(" as ")[0].strip() for name in names.strip("()").replace("\n", " ").split(",")]
        found.append((len(dots), module, [name for name in names if name and not name.startswith("#")]))
    return found


def resolve(importer, is_package, dots, module, names, known, package_name=None):
    """The modules of `known` that one import line of module `importer` loads."""
    if dots == 0:  # absolute: only this package's own name counts
        if package_name is None or not (module == package_name or module.startswith(package_name + ".")):
            return set()
        base = module[len(package_name) + 1 :]
    else:
        parts = importer.split(".") if importer else []
        if not is_package:
            parts = parts[:-1]
        parts = parts[: len(parts) - (dots - 1)] if dots > 1 else parts
        base = ".".join([*parts, *([module] if module else [])])
    loaded = set()
    for name in names:
        child = f"{base}.{name}" if base else name
        loaded.add(child if child in known else base)
    prefixes = set()
    for target in loaded:  # importing a.b.c runs the __init__ of a and of a.b first
        parts = target.split(".") if target else []
        prefixes.update(".".join(parts[:length]) for length in range(1, len(parts)))
    return {target for target in loaded | prefixes if target in known and target != importer}


def import_graph(package_dir, package_name=None, folders=None):
    """`{module: modules it imports}` for every module of the package at `package_dir` (or of its `folders`)."""
    known = modules_of(package_dir, folders)
    graph = {}
    for name, path in known.items():
        text = path.read_text(encoding="utf-8")
        edges = set()
        for dots, module, names in imported_names(text):
            edges |= resolve(name, path.name == "__init__.py", dots, module, names, known, package_name)
        graph[name] = edges
    return graph


def reachable(graph, roots):
    """Every module `roots` import, directly or through others, the roots included."""
    seen, stack = set(), [root for root in roots if root in graph]
    while stack:
        module = stack.pop()
        if module not in seen:
            seen.add(module)
            stack.extend(graph[module] - seen)
    return seen


def cycles(graph):
    """The strongly connected groups of two or more modules (Tarjan's algorithm), each sorted: import circles."""
    index, low, on_stack, stack, groups = {}, {}, set(), [], []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                group.append(other)
                if other == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return groups
