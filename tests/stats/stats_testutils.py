"""Shared helpers for the statistics tests (oracle paths, tolerant comparisons).

The oracle is ``../shared/oracle`` (or ``$INA_SHARED_DIR/oracle``, see tests/shared_paths.py); a test that
reads it skips, saying so, when it is absent, and under CI that skip fails the session.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from shared_paths import ORACLE_DIR, require

ORACLE = ORACLE_DIR
PHE_CSV = ORACLE / "PHEindicatormethods" / "csv"
PY_CSV = ORACLE / "phstatsmethods" / "csv"

#: Closed-form statistics (rates, proportions, DSR, ISR, SII/RII point estimates): oracle README.
RTOL = 1e-9
#: Simulated SII/RII limits (upstream setting), seeded, >= 10,000 reps.
SIM_RTOL = 0.05


def oracle_file(rel: str) -> Path:
    """``<oracle>/<rel>``; skips the calling test when the oracle folder is absent."""
    return require("oracle") / rel


def read_oracle(name: str, folder: Path = PHE_CSV) -> pl.DataFrame:
    require("oracle")
    return pl.read_csv(folder / name, infer_schema_length=100_000)


def assert_close(got, expected, rtol: float = RTOL, what: str = "") -> None:
    """Element-wise relative comparison; nulls/NaN must coincide."""
    g = np.asarray(pl.Series(got).cast(pl.Float64).fill_null(np.nan).to_numpy() if isinstance(got, (pl.Series, list)) else got, dtype=float)
    e = np.asarray(pl.Series(expected).cast(pl.Float64).fill_null(np.nan).to_numpy() if isinstance(expected, (pl.Series, list)) else expected, dtype=float)
    g, e = np.broadcast_arrays(g, e)
    assert g.shape == e.shape, what
    gn, en = np.isnan(g), np.isnan(e)
    assert np.array_equal(gn, en), f"{what}: missing-value pattern differs: got {g}, expected {e}"
    ok = ~en
    np.testing.assert_allclose(g[ok], e[ok], rtol=rtol, atol=0, err_msg=what)
