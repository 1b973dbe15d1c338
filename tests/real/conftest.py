"""Session fixtures for tests/real (helpers live in real_helpers.py), and which of its tests need the mirror.

A test here needs the mirror (``../shared/data/real``, or ``$INA_SHARED_DIR/data/real``) when it uses one of
:data:`MIRROR_FIXTURES` or reads its module's ``REAL``; those get ``needs_shared("data/real")`` (skipped, with
the reason, when the mirror is absent; a failure under CI). Tests that call ``real_path``/``load`` skip the
same way from real_helpers. The rest (fake servers, files written to tmp_path) always run. Tests using one of
:data:`SLOW_FIXTURES` (a whole materialisation of the real profile, about 45 s once per session) are marked
``slow`` (pyproject.toml's marker): ``-m "not slow"`` leaves them out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from real_helpers import REAL

from shared_paths import DEFAULT_SHARED_DIR, require

#: Fixtures that stand for the mirror (``lsc`` materialises the real profile on it: test_real_profile.py).
MIRROR_FIXTURES = {"real_dir", "lsc"}
SLOW_FIXTURES = {"lsc"}
_DEFAULT_REAL = DEFAULT_SHARED_DIR / "data" / "real"
_HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def real_dir() -> Path:
    return require("data/real")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _HERE not in Path(item.path).resolve().parents:
            continue
        module = getattr(item, "module", None)
        # A module that works out the default mirror location itself follows INA_SHARED_DIR too.
        if module is not None and getattr(module, "REAL", None) == _DEFAULT_REAL:
            module.REAL = REAL
        function = getattr(item, "function", None)
        reads_real = function is not None and "REAL" in function.__code__.co_names and hasattr(module, "REAL")
        fixtures = set(getattr(item, "fixturenames", ()))
        if reads_real or MIRROR_FIXTURES & fixtures:
            item.add_marker(pytest.mark.needs_shared("data/real"))
        if SLOW_FIXTURES & fixtures:
            item.add_marker(pytest.mark.slow)
