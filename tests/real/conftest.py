"""Session fixtures for tests/real (helpers live in real_helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from real_helpers import REAL


@pytest.fixture(scope="session")
def real_dir() -> Path:
    if not REAL.is_dir():
        pytest.skip(f"real-data mirror not found at {REAL} (the shared data folder beside the repo)")
    return REAL
