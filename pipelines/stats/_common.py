"""Shared helpers for the statistics layer (confidence handling, array coercion, column names)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import polars as pl
from scipy.special import ndtri

__all__ = [
    "as_float_array",
    "normalise_confidence",
    "normalise_confidences",
    "z_value",
    "ci_suffix",
    "ci_column_names",
]


def as_float_array(x: Any, name: str = "x") -> np.ndarray:
    """Coerce numpy arrays, polars Series, lists or scalars to a float64 ndarray (nulls become NaN)."""
    if isinstance(x, pl.Series):
        return x.cast(pl.Float64).fill_null(float("nan")).to_numpy().astype(np.float64, copy=False)
    if isinstance(x, pl.Expr):  # pragma: no cover - defensive
        raise TypeError(f"{name}: expected values, got a polars expression")
    arr = np.asarray(x, dtype=np.float64)
    return arr


def normalise_confidence(confidence: float) -> float:
    """Accept 0.95 or 95 (R-style percentage); return a fraction in [0.9, 1].

    Like PHEindicatormethods, confidence levels are restricted to 0.9 <= c <= 1 (90 % .. 100 %).
    """
    try:
        c = float(confidence)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"confidence must be numeric, got {confidence!r}") from exc
    if c > 1:
        c = c / 100.0
    if not (0.9 <= c <= 1.0) or np.isnan(c):
        raise ValueError(
            f"confidence level must be between 90 and 100 (or 0.9 and 1), got {confidence!r}"
        )
    return c


def normalise_confidences(confidences: float | Iterable[float]) -> tuple[float, ...]:
    if isinstance(confidences, (int, float, np.floating, np.integer)):
        confidences = (confidences,)
    out = tuple(normalise_confidence(c) for c in confidences)
    if not out:
        raise ValueError("at least one confidence level is required")
    if len(set(out)) != len(out):
        raise ValueError(f"duplicate confidence levels: {confidences!r}")
    return out


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile z = Φ⁻¹(1 − α/2)."""
    c = normalise_confidence(confidence)
    return float(ndtri(0.5 + c / 2.0))


def ci_suffix(confidence: float) -> str:
    """0.95 -> '95', 0.998 -> '99_8', 0.975 -> '97_5'."""
    pct = round(normalise_confidence(confidence) * 100, 6)
    txt = f"{pct:.6f}".rstrip("0").rstrip(".")
    return txt.replace(".", "_")


def ci_column_names(confidence: float) -> tuple[str, str]:
    s = ci_suffix(confidence)
    return f"lower_ci_{s}", f"upper_ci_{s}"


def require_columns(df: pl.DataFrame, cols: Sequence[str], what: str = "input") -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{what} is missing column(s) {missing}; has {df.columns}")
