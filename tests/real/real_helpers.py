"""Helpers for the real-data tests: the shared mirror of public files, read once per session.

The mirror lives beside the repository (``../shared/data/real``, or ``$INA_SHARED_DIR/data/real``: see
tests/shared_paths.py); the tests skip, saying so, only when that folder is absent (e.g. a clone without the
shared data), and under CI such a skip fails the session.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl
import yaml

from shared_paths import REAL_DIR, REPO_DIR, require

REPO = REPO_DIR
REAL = REAL_DIR
MANIFEST = REPO / "config" / "sources.yaml"

LSC_ICB = "E54000048"
LSC_SUB_ICBS = ["00Q", "00R", "00X", "01A", "01E", "01K", "02G", "02M"]


def real_path(rel: str) -> Path:
    path = require("data/real") / rel
    assert path.is_file(), f"{path} missing from the mirror"
    return path


@cache
def manifest_entries() -> dict[str, dict]:
    return {e["id"]: e for e in yaml.safe_load(MANIFEST.read_text())["sources"]}


@cache
def _read(source_id: str) -> pl.DataFrame:
    from pipelines.sources.readers import read_source

    entry = manifest_entries()[source_id]
    return read_source(entry, REAL / entry["mirror_path"])


def load(source_id: str) -> pl.DataFrame:
    """The canonical frame for a manifest source, read from the mirror once per session."""
    entry = manifest_entries()[source_id]
    real_path(entry["mirror_path"])
    return _read(source_id)
