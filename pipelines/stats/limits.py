"""Confidence limits for Poisson counts and binomial proportions (vectorised).

Methods follow the PHE Public Health Data Science *Technical Guide: Confidence Intervals* (25 May 2018;
Appendix 1 Byar's, Appendix 2 χ² exact, Appendix 3 Wilson) and APHO *Technical Briefing 3* (Eayres 2008),
as implemented in PHEindicatormethods 2.1.0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import chi2

from ._common import as_float_array, normalise_confidence, z_value

__all__ = ["byars_limits", "exact_poisson_limits", "poisson_limits", "wilson_limits"]

#: Counts below this use the exact χ² method in :func:`poisson_limits`; at or above it, Byar's.
EXACT_THRESHOLD = 10


def _check_counts(o: np.ndarray, name: str = "observed") -> None:
    with np.errstate(invalid="ignore"):
        if np.any(o < 0):
            raise ValueError(f"{name} must be non-negative (found {np.nanmin(o)!r})")
        if np.any(np.isinf(o)):
            raise ValueError(f"{name} must be finite")


def byars_limits(observed: Any, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximation to the Poisson confidence limits of a count.

    ``O_L = O·(1 − 1/(9O) − z/(3√O))³`` and ``O_U = (O+1)·(1 − 1/(9(O+1)) + z/(3√(O+1)))³``.

    Reference: Breslow & Day (1987) *Statistical Methods in Cancer Research vol II*; PHE *Technical Guide:
    Confidence Intervals* (2018) Appendix 1.

    Returns limits on the count scale.  Non-integer counts are allowed.  A zero count gives lower 0 (the
    formula is undefined there).  Where the lower formula goes negative (tiny counts at high confidence, e.g.
    O = 1 at 99.8 %) the lower limit is NaN, as PHEindicatormethods returns NA.  NaN inputs give NaN.
    """
    o = as_float_array(observed, "observed")
    _check_counts(o)
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = o * (1.0 - 1.0 / (9.0 * o) - z / (3.0 * np.sqrt(o))) ** 3
        o1 = o + 1.0
        upper = o1 * (1.0 - 1.0 / (9.0 * o1) + z / (3.0 * np.sqrt(o1))) ** 3
    lower = np.where(o == 0, 0.0, lower)
    lower = np.where(lower < 0, np.nan, lower)
    return np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)


def exact_poisson_limits(observed: Any, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson confidence limits of a count via the χ² distribution.

    ``O_L = χ²_{α/2}(2O)/2`` (0 when O = 0) and ``O_U = χ²_{1−α/2}(2O+2)/2``.

    Reference: Armitage & Berry (2002) *Statistical Methods in Medical Research*; PHE *Technical Guide:
    Confidence Intervals* (2018) Appendix 2.  Non-integer O is evaluated with the continuous χ²
    (gamma) distribution.  Confidence 1 gives (0, ∞).
    """
    o = as_float_array(observed, "observed")
    _check_counts(o)
    c = normalise_confidence(confidence)
    a = 1.0 - c
    with np.errstate(invalid="ignore"):
        lower = chi2.ppf(a / 2.0, 2.0 * o) / 2.0
        upper = chi2.ppf(1.0 - a / 2.0, 2.0 * o + 2.0) / 2.0
    # O = 0 gives 0 by definition; scipy returns NaN for subnormal degrees of freedom (O < ~1e-308),
    # where the true quantile underflows to 0 anyway.
    lower = np.where((o == 0) | (np.isnan(lower) & ~np.isnan(o)), 0.0, lower)
    return np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)


def poisson_limits(observed: Any, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Poisson limits of a count, Fingertips/PHEindicatormethods style: exact χ² below 10, Byar's from 10.

    References: PHE *Technical Guide: Confidence Intervals* (2018) Appendices 1–2; APHO *Technical
    Briefing 3* (Eayres 2008); Breslow & Day (1987); Armitage & Berry (2002).

    ``observed`` may be a numpy array, polars Series, list or scalar; non-integer counts are allowed
    (Byar's handles them directly, the exact branch uses the continuous χ²).  A zero count gives
    lower = 0 and upper = χ²_{1−α/2}(2)/2 (3.689 at 95 %), never an error.  Negative counts raise
    ``ValueError``; NaN/null propagate as NaN.
    """
    o = as_float_array(observed, "observed")
    _check_counts(o)
    with np.errstate(invalid="ignore"):
        small = o < EXACT_THRESHOLD
    # Evaluate each branch only where it applies (cheap either way, but avoids warnings).
    el, eu = exact_poisson_limits(np.where(small, o, 0.0), confidence)
    bl, bu = byars_limits(np.where(small, EXACT_THRESHOLD, o), confidence)
    lower = np.where(small, el, bl)
    upper = np.where(small, eu, bu)
    nan = np.isnan(o)
    lower = np.where(nan, np.nan, lower)
    upper = np.where(nan, np.nan, upper)
    return np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)


def poisson_method_label(observed: Any) -> np.ndarray:
    """'Exact' where O < 10, else 'Byars' (null where O is missing)."""
    o = as_float_array(observed)
    out = np.where(o < EXACT_THRESHOLD, "Exact", "Byars").astype(object)
    out[np.isnan(o)] = None
    return out


def wilson_limits(x: Any, n: Any, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion, on the 0..1 scale.

    ``p_{L,U} = (2x + z² ∓ z·√(z² + 4x(1 − x/n))) / (2(n + z²))``.

    References: Wilson (1927) JASA 22:209–212; Newcombe & Altman (2000) in *Statistics with Confidence*;
    PHE *Technical Guide: Confidence Intervals* (2018) Appendix 3.

    ``x`` may be non-integer.  x = 0 gives lower 0 exactly, x = n gives upper 1 exactly, confidence 1
    gives (0, 1).  Raises ``ValueError`` if x < 0, n <= 0 or x > n (as PHEindicatormethods does);
    NaN/null propagate.
    """
    xa = as_float_array(x, "x")
    na = as_float_array(n, "n")
    xa, na = np.broadcast_arrays(xa, na)
    with np.errstate(invalid="ignore"):
        if np.any(xa < 0):
            raise ValueError("numerator must be non-negative")
        if np.any(na <= 0):
            raise ValueError("denominator must be greater than zero")
        if np.any(xa > na):
            raise ValueError("numerator must be less than or equal to denominator for a proportion")
    c = normalise_confidence(confidence)
    if c == 1.0:
        nan = np.isnan(xa) | np.isnan(na)
        return np.where(nan, np.nan, 0.0), np.where(nan, np.nan, 1.0)
    z = z_value(c)
    z2 = z * z
    with np.errstate(invalid="ignore", divide="ignore"):
        root = z * np.sqrt(z2 + 4.0 * xa * (1.0 - xa / na))
        denom = 2.0 * (na + z2)
        lower = (2.0 * xa + z2 - root) / denom
        upper = (2.0 * xa + z2 + root) / denom
    lower = np.where(xa == 0, 0.0, lower)
    upper = np.where(xa == na, 1.0, upper)
    return np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)
