"""Atomic file writes: a kill at any moment leaves either the old file or the new one, never half of one."""

import contextlib
import json
import os
import re
from pathlib import Path

TEMPORARY_NAME = re.compile(r"\.tmp-(\d+)-")


@contextlib.contextmanager
def atomic_path(path):
    """Yields a temporary path beside `path`; on success it replaces `path` in one rename.

    The temporary name keeps the final suffix, because Keras picks the format from it.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".tmp-{os.getpid()}-{path.name}")  # the pid: `remove_abandoned` knows its writer
    try:
        yield temporary
        if temporary.is_file():
            with open(temporary, "rb+") as handle:
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


def write_text(path, text):
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8", newline="")  # as given: csv rows keep their \r\n


def write_json(path, data):
    write_text(path, json.dumps(data, indent=2, sort_keys=False) + "\n")


def read_json(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def remove_abandoned(folder):
    """Removes the temporary files under `folder` whose writer process is gone: a kill in mid-write leaves one, which
    may be as big as a model. Returns how many bytes that freed."""
    freed = 0
    for path in Path(folder).rglob(".tmp-*"):
        match = TEMPORARY_NAME.match(path.name)
        if match and path.is_file() and not _alive(int(match.group(1))):
            freed += path.stat().st_size
            path.unlink(missing_ok=True)
    return freed


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
