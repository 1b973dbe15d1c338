"""Fingertips-style comparison of an area's value with a benchmark (e.g. England).

Method (confirmed in the Fingertips source, ``ukhsa-collaboration/fingertips-open``,
``PholioVisualisation.Analysis.SingleOverlappingCIsComparer`` and its unit tests): the comparison is
"similar" when the benchmark **value** lies inside the area's confidence interval, boundaries included
(``lower <= benchmark <= upper``); otherwise the area is "higher" or "lower" than the benchmark, and polarity
turns that into "better"/"worse" (``RagLowIsGood``: higher is worse; ``RagHighIsGood``: higher is better;
``BlueOrangeBlue``: no judgement, just higher/lower).  Missing CIs or values give no comparison (null).
It is not a test of overlapping CIs.  Reference: OHID Fingertips Public Health Technical Guidance.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from ._common import as_float_array

__all__ = ["compare_with_benchmark", "compare_with_benchmark_expr", "POLARITIES"]

#: Accepted polarity spellings → canonical key.  Fingertips PolarityIds: 0 RagLowIsGood,
#: 1 RagHighIsGood, 99 BlueOrangeBlue, -1 NotApplicable.
POLARITIES: dict[Any, str] = {
    "higher_is_worse": "higher_is_worse",
    "low_is_good": "higher_is_worse",
    "rag_low_is_good": "higher_is_worse",
    0: "higher_is_worse",
    "higher_is_better": "higher_is_better",
    "high_is_good": "higher_is_better",
    "rag_high_is_good": "higher_is_better",
    1: "higher_is_better",
    None: "none",
    "none": "none",
    "no_polarity": "none",
    "not_applicable": "none",
    "blue_orange_blue": "none",
    "bob": "none",
    99: "none",
    -1: "none",
}

_LABELS = {
    "higher_is_worse": ("worse", "better"),
    "higher_is_better": ("better", "worse"),
    "none": ("higher", "lower"),
}


def _canon(p: Any) -> str:
    key = p.lower() if isinstance(p, str) else p
    if isinstance(key, (np.integer, float)) and not isinstance(key, bool):
        key = int(key)
    try:
        return POLARITIES[key]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown polarity {p!r}; use 'higher_is_worse', 'higher_is_better' or None (no polarity)"
        ) from None


def compare_with_benchmark(
    lower: Any,
    upper: Any,
    benchmark: Any,
    polarity: Any = None,
    value: Any = None,
) -> np.ndarray:
    """Fingertips "compared with benchmark" label per area (vectorised over numpy arrays / polars Series).

    ``benchmark`` outside ``[lower, upper]`` ⇒ significant.  Labels: "better"/"similar"/"worse" when
    ``polarity`` is ``"higher_is_worse"`` or ``"higher_is_better"``; "higher"/"similar"/"lower" when it is
    ``None`` (no polarity, Fingertips' blue/orange/blue).  ``polarity`` may be a scalar or an array (one
    per row); Fingertips polarity ids 0, 1, 99, -1 are accepted too.  The direction comes from ``value``
    versus the benchmark when ``value`` is given (as Fingertips does) and from the CI's position
    otherwise.  Rows with a missing limit, benchmark (or given value) get ``None``.

    Reference: OHID Fingertips Public Health Technical Guidance (benchmarking against the goal/England);
    Fingertips ``SingleOverlappingCIsComparer``.
    """
    lo = as_float_array(lower, "lower")
    hi = as_float_array(upper, "upper")
    bm = as_float_array(benchmark, "benchmark")
    lo, hi, bm = np.broadcast_arrays(lo, hi, bm)
    if value is not None:
        v = np.broadcast_to(as_float_array(value, "value"), lo.shape)
    else:
        v = None
    if isinstance(polarity, pl.Series):
        polarity = polarity.to_list()
    if isinstance(polarity, (list, tuple, np.ndarray)):
        pol = np.array([_canon(p) for p in polarity], dtype=object)
        pol = np.broadcast_to(pol, lo.shape)
    else:
        pol = np.full(lo.shape, _canon(polarity), dtype=object)

    with np.errstate(invalid="ignore"):
        missing = np.isnan(lo) | np.isnan(hi) | np.isnan(bm)
        if v is not None:
            missing |= np.isnan(v)
            higher = v > bm
        else:
            higher = bm < lo
        similar = (bm >= lo) & (bm <= hi)
    out = np.empty(lo.shape, dtype=object)
    for key, (hi_label, lo_label) in _LABELS.items():
        m = pol == key
        out[m & higher] = hi_label
        out[m & ~higher] = lo_label
    out[similar] = "similar"
    out[missing] = None
    return out


def compare_with_benchmark_expr(
    lower: str | pl.Expr,
    upper: str | pl.Expr,
    benchmark: str | pl.Expr | float,
    polarity: Any = None,
    value: str | pl.Expr | None = None,
) -> pl.Expr:
    """Polars-expression form of :func:`compare_with_benchmark` (for ``with_columns``/``select``).

    ``polarity`` is a scalar (any spelling accepted by :func:`compare_with_benchmark`) or an expression
    yielding the canonical strings ``"higher_is_worse"``, ``"higher_is_better"`` or ``"none"``.
    """
    lo = pl.col(lower) if isinstance(lower, str) else lower
    hi = pl.col(upper) if isinstance(upper, str) else upper
    bm = pl.col(benchmark) if isinstance(benchmark, str) else (benchmark if isinstance(benchmark, pl.Expr) else pl.lit(benchmark))
    if value is not None:
        v = pl.col(value) if isinstance(value, str) else value
        higher = v > bm
        missing = lo.is_null() | hi.is_null() | bm.is_null() | v.is_null() | lo.is_nan() | hi.is_nan() | v.is_nan()
    else:
        higher = bm < lo
        missing = lo.is_null() | hi.is_null() | bm.is_null() | lo.is_nan() | hi.is_nan()
    similar = (bm >= lo) & (bm <= hi)

    def labels(hi_label: str, lo_label: str) -> pl.Expr:
        return pl.when(higher).then(pl.lit(hi_label)).otherwise(pl.lit(lo_label))

    if isinstance(polarity, pl.Expr):
        directional = (
            pl.when(polarity == "higher_is_worse")
            .then(labels("worse", "better"))
            .when(polarity == "higher_is_better")
            .then(labels("better", "worse"))
            .when(polarity == "none")
            .then(labels("higher", "lower"))
            .otherwise(None)
        )
    else:
        directional = labels(*_LABELS[_canon(polarity)])
    return (
        pl.when(missing)
        .then(pl.lit(None, dtype=pl.String))
        .when(similar)
        .then(pl.lit("similar"))
        .otherwise(directional)
    )
