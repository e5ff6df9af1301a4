"""Root test setup: the shared folders imported as one package, as they are inside a generated project.

Shared code uses relative imports across runtime/, callbacks/ and datasets/ (`from ..runtime import`),
so the tests import them through a package `shared` made of links to the three folders.
"""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_PACKAGE = "shared"


def _link_shared_package(base):
    package = base / SHARED_PACKAGE
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text('"""The shared folders, for the root tests."""\n')
    for folder in ("runtime", "callbacks", "datasets"):
        try:
            (package / folder).symlink_to(ROOT / folder)
        except FileExistsError:  # made by an earlier run, or by another pytest-xdist worker just now
            pass
    return base


_base = ROOT / ".pytest_cache" / "shared-package"
sys.path.insert(0, str(_link_shared_package(_base)))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(scope="session")
def repo_root():
    return ROOT
