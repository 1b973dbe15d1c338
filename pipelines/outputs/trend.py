"""The "recent trend" of an indicator: is it rising or falling over its latest published points?

Method: an inverse-variance weighted least-squares line through the latest `TREND_POINTS` published values
(one per financial year; for monthly indicators, the same month of each year as the latest), each weighted by
1 / SE², with SE = (upper 95% limit − lower 95% limit) / (2 × 1.96). The slope is significant at 95% when
|slope / SE(slope)| > 1.96, SE(slope)² = 1 / Σ wᵢ(xᵢ − x̄)². This is the meta-regression form of a test for
linear trend; OHID's Fingertips uses a chi-squared test for trend on proportions and Poisson regression on
counts, which need the counts this table may hide. Values withheld by disclosure control never enter the line.

Words: "Increasing" / "Decreasing" (with "and getting worse/better" when the indicator has a polarity),
"No significant change", "Not enough data" (fewer than 3 points), "No limits to test" (a census value such as
FTE per 100,000, where the direction alone is given).
"""

from __future__ import annotations

import math
from typing import Sequence

TREND_POINTS = 5
MIN_POINTS = 3
Z95 = 1.959963984540054


def trend_words(
    values: Sequence[float | None],
    lower: Sequence[float | None],
    upper: Sequence[float | None],
    polarity: str | None = None,
) -> str:
    """The trend label of one series, oldest first (nulls are skipped)."""
    points = [(i, v, lo, up) for i, (v, lo, up) in enumerate(zip(values, lower, upper)) if _num(v)]
    points = points[-TREND_POINTS:]
    if len(points) < MIN_POINTS:
        return "Not enough data"
    if not all(_num(lo) and _num(up) and up > lo for _, _, lo, up in points):
        first, last = points[0][1], points[-1][1]
        direction = "Rising" if last > first else "Falling" if last < first else "Unchanged"
        return f"{direction} (no limits to test)"
    x = [float(i) for i, *_ in points]
    y = [float(v) for _, v, _, _ in points]
    w = [1.0 / ((up - lo) / (2 * Z95)) ** 2 for _, _, lo, up in points]
    sw = sum(w)
    x_bar = sum(wi * xi for wi, xi in zip(w, x)) / sw
    y_bar = sum(wi * yi for wi, yi in zip(w, y)) / sw
    sxx = sum(wi * (xi - x_bar) ** 2 for wi, xi in zip(w, x))
    slope = sum(wi * (xi - x_bar) * (yi - y_bar) for wi, xi, yi in zip(w, x, y)) / sxx
    z = slope * math.sqrt(sxx)
    if abs(z) <= Z95:
        return "No significant change"
    rising = slope > 0
    direction = "Increasing" if rising else "Decreasing"
    if polarity == "higher_is_worse":
        return f"{direction} and getting {'worse' if rising else 'better'}"
    if polarity == "higher_is_better":
        return f"{direction} and getting {'better' if rising else 'worse'}"
    return direction


def _num(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))
