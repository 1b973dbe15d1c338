"""Where the tests find the shared material (statistics oracle, real-data mirror): the one place that says so.

The shared folder sits beside the checkout, ``<repo>/../shared`` (``oracle/``, ``data/real/``), found from this
file's location, never from an absolute path. The environment variable ``INA_SHARED_DIR`` points elsewhere
(a relative value is taken from the current directory).

A test that needs a part of it either carries ``@pytest.mark.needs_shared("oracle")`` (tests/conftest.py
skips it before setup when that folder is absent) or calls :func:`require` itself. Either way the skip
reason starts with :data:`SKIP_PREFIX`, and under CI (``CI=true``) tests/conftest.py fails the session if any
such test was skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ENV_VAR = "INA_SHARED_DIR"
REPO_DIR = Path(__file__).resolve().parents[1]
DEFAULT_SHARED_DIR = REPO_DIR.parent / "shared"
SKIP_PREFIX = "needs ../shared"


def shared_dir() -> Path:
    """``$INA_SHARED_DIR`` if set (and not empty), else ``<repo>/../shared``."""
    value = os.environ.get(ENV_VAR, "").strip()
    return Path(value).expanduser().resolve() if value else DEFAULT_SHARED_DIR


SHARED_DIR = shared_dir()
ORACLE_DIR = SHARED_DIR / "oracle"
REAL_DIR = SHARED_DIR / "data" / "real"


def skip_reason(sub: str) -> str:
    label = f"{SKIP_PREFIX}/{sub}" if sub else SKIP_PREFIX
    return f"{label}: {SHARED_DIR / sub} not found (set {ENV_VAR} to the shared folder)"


def require(sub: str) -> Path:
    """The folder ``<shared>/<sub>``; skips the calling test, saying why, when it is absent."""
    path = SHARED_DIR / sub
    if not path.is_dir():
        pytest.skip(skip_reason(sub))
    return path
