"""Crude rates, proportions and means with confidence limits, vectorised over a table of groups.

Each function takes a polars DataFrame with one row per group (or, with ``group_by``, several rows per group
that are summed first) and returns the frame with the statistic and its limits added.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import polars as pl
from scipy.stats import t as student_t

from ._common import ci_column_names, normalise_confidences, require_columns
from ._frames import float_col, group_columns, sum_propagating_null, to_series
from .limits import EXACT_THRESHOLD, poisson_limits, wilson_limits

__all__ = ["crude_rate", "proportion", "mean"]


def _aggregate(df: pl.DataFrame, groups: list[str], cols: Sequence[str]) -> pl.DataFrame:
    return df.group_by(groups, maintain_order=True).agg([sum_propagating_null(c) for c in cols])


def crude_rate(
    df: pl.DataFrame,
    *,
    count: str,
    denominator: str,
    multiplier: float = 100_000,
    confidences: float | Iterable[float] = (0.95, 0.998),
    group_by: str | Sequence[str] | None = None,
) -> pl.DataFrame:
    """Crude rate ``r = O/n · mult`` with Poisson limits: exact χ² when O < 10, Byar's when O ≥ 10.

    ``r_{L,U} = O_{L,U}/n · mult``.  Method: PHEindicatormethods ``phe_rate``; references: PHE *Technical
    Guide: Confidence Intervals* (2018) Appendices 1–2, APHO *Technical Briefing 3* (Eayres 2008),
    Breslow & Day (1987), Armitage & Berry (2002); Fingertips Public Health Technical Guidance (Rates).

    Adds ``value``, ``lower_ci_<c>``/``upper_ci_<c>`` per confidence level (``95``, ``99_8``) and ``method``
    ("Exact"/"Byars", from the count alone, as upstream).  If ``group_by`` is given, rows are first summed
    per group (a group with any missing count/denominator gets a missing total, like R's ``sum``).  A missing
    count or denominator gives null value and limits.  Zero counts are fine (lower limit 0).  Negative
    counts or non-positive denominators raise ``ValueError``.  Rates may exceed the multiplier
    (numerator > denominator is allowed).
    """
    confs = normalise_confidences(confidences)
    require_columns(df, [count, denominator] + group_columns(group_by))
    groups = group_columns(group_by)
    if groups:
        df = _aggregate(df, groups, [count, denominator])
    o = float_col(df, count)
    n = float_col(df, denominator)
    with np.errstate(invalid="ignore"):
        if np.any(o < 0):
            raise ValueError(f"numerators ({count}) must all be greater than or equal to zero")
        if np.any(n <= 0):
            raise ValueError(f"denominators ({denominator}) must all be greater than zero")
    ok = ~(np.isnan(o) | np.isnan(n))
    scale = np.where(ok, multiplier / np.where(ok, n, 1.0), np.nan)
    cols = [to_series("value", o * scale)]
    for c in confs:
        lo, hi = poisson_limits(o, c)
        ln, un = ci_column_names(c)
        cols += [to_series(ln, lo * scale), to_series(un, hi * scale)]
    out = df.with_columns(cols)
    return out.with_columns(
        pl.when(pl.col(count).is_null())
        .then(None)
        .when(pl.col(count) < EXACT_THRESHOLD)
        .then(pl.lit("Exact"))
        .otherwise(pl.lit("Byars"))
        .alias("method")
    )


def proportion(
    df: pl.DataFrame,
    *,
    numerator: str,
    denominator: str,
    multiplier: float = 100,
    confidences: float | Iterable[float] = (0.95, 0.998),
    group_by: str | Sequence[str] | None = None,
) -> pl.DataFrame:
    """Proportion ``p = x/n · mult`` with Wilson score limits.

    ``p_{L,U} = (2x + z² ∓ z√(z² + 4x(1 − x/n))) / (2(n + z²)) · mult``.  Method: PHEindicatormethods
    ``phe_proportion``; references: Wilson (1927), Newcombe & Altman (2000), PHE *Technical Guide:
    Confidence Intervals* (2018) Appendix 3.

    ``multiplier`` defaults to 100 (percentages); use 1 for the 0..1 scale.  Adds ``value``, limits per
    confidence level and ``method`` ("Wilson").  Non-integer numerators are allowed.  Raises
    ``ValueError`` for negative numerators, non-positive denominators or numerator > denominator.
    Missing inputs give null outputs.
    """
    confs = normalise_confidences(confidences)
    groups = group_columns(group_by)
    require_columns(df, [numerator, denominator] + groups)
    if groups:
        df = _aggregate(df, groups, [numerator, denominator])
    x = float_col(df, numerator)
    n = float_col(df, denominator)
    with np.errstate(invalid="ignore"):
        if np.any(x < 0):
            raise ValueError(f"numerators ({numerator}) must all be greater than or equal to zero")
        if np.any(n <= 0):
            raise ValueError(f"denominators ({denominator}) must all be greater than zero")
        if np.any(x > n):
            raise ValueError("numerators must be less than or equal to denominators for a proportion")
    with np.errstate(invalid="ignore", divide="ignore"):
        cols = [to_series("value", x / n * multiplier)]
    for c in confs:
        lo, hi = wilson_limits(x, n, c)
        ln, un = ci_column_names(c)
        cols += [to_series(ln, lo * multiplier), to_series(un, hi * multiplier)]
    cols.append(pl.Series("method", ["Wilson"] * df.height, dtype=pl.String))
    return df.with_columns(cols)


def mean(
    df: pl.DataFrame,
    *,
    values: str,
    group_by: str | Sequence[str] | None = None,
    confidences: float | Iterable[float] = (0.95, 0.998),
) -> pl.DataFrame:
    """Mean with Student's t limits: ``mean ± t_{n−1, 1−α/2} · sd/√n`` (one row per group).

    Method: PHEindicatormethods ``phe_mean``; reference: PHE *Technical Guide: Confidence Intervals*
    (2018); APHO *Technical Briefing 3* (Eayres 2008).  Null values are ignored.  Returns ``value_sum``,
    ``value_count``, ``stdev``, ``value`` and limits per confidence level; groups with fewer than two
    values get null limits.
    """
    confs = normalise_confidences(confidences)
    groups = group_columns(group_by)
    require_columns(df, [values] + groups)
    v = pl.col(values).cast(pl.Float64)
    aggs = [
        v.sum().alias("value_sum"),
        v.count().alias("value_count"),
        v.std(ddof=1).alias("stdev"),
        v.mean().alias("value"),
    ]
    out = df.group_by(groups, maintain_order=True).agg(aggs) if groups else df.select(aggs)
    n = float_col(out, "value_count")
    sd = float_col(out, "stdev")
    m = float_col(out, "value")
    cols = []
    with np.errstate(invalid="ignore", divide="ignore"):
        for c in confs:
            tq = student_t.ppf(0.5 + c / 2.0, np.where(n > 1, n - 1, np.nan))
            half = tq * sd / np.sqrt(n)
            ln, un = ci_column_names(c)
            cols += [to_series(ln, m - half), to_series(un, m + half)]
    cols.append(pl.Series("method", ["Student's t-distribution"] * out.height, dtype=pl.String))
    return out.with_columns(cols)
