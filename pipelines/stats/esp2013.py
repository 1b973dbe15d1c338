"""European Standard Population 2013 (and ESP1976 for comparison).

Reference: Eurostat (2013), *Revision of the European Standard Population — Report of Eurostat's task force*,
KS-RA-13-028-EN-N.  The 19-band form (0-4 … 85-89, 90+) is the one OHID/Fingertips uses for DSRs.
"""

from __future__ import annotations

import re

import polars as pl

__all__ = [
    "ESP2013",
    "ESP2013_BANDS",
    "ESP2013_21",
    "ESP1976",
    "esp2013_frame",
    "normalise_age_band",
]

#: ESP2013, 19 bands, per 100,000 (the OHID form). Insertion order is youngest → oldest.
ESP2013: dict[str, float] = {
    "0-4": 5000.0,
    "5-9": 5500.0,
    "10-14": 5500.0,
    "15-19": 5500.0,
    "20-24": 6000.0,
    "25-29": 6000.0,
    "30-34": 6500.0,
    "35-39": 7000.0,
    "40-44": 7000.0,
    "45-49": 7000.0,
    "50-54": 7000.0,
    "55-59": 6500.0,
    "60-64": 6000.0,
    "65-69": 5500.0,
    "70-74": 5000.0,
    "75-79": 4000.0,
    "80-84": 2500.0,
    "85-89": 1500.0,
    "90+": 1000.0,
}

ESP2013_BANDS: tuple[str, ...] = tuple(ESP2013)

#: Full Eurostat table: 0-4 split into <1 (label "0") = 1000 and 1-4 = 4000; 90+ split into 90-94 = 800 and 95+ = 200.
ESP2013_21: dict[str, float] = {
    "0": 1000.0,
    "1-4": 4000.0,
    **{k: v for k, v in ESP2013.items() if k not in ("0-4", "90+")},
    "90-94": 800.0,
    "95+": 200.0,
}

#: ESP1976 (18 bands, 85+), for comparison with older publications only.
ESP1976: dict[str, float] = {
    "0-4": 8000.0,
    "5-9": 7000.0,
    "10-14": 7000.0,
    "15-19": 7000.0,
    "20-24": 7000.0,
    "25-29": 7000.0,
    "30-34": 7000.0,
    "35-39": 7000.0,
    "40-44": 7000.0,
    "45-49": 7000.0,
    "50-54": 7000.0,
    "55-59": 6000.0,
    "60-64": 5000.0,
    "65-69": 4000.0,
    "70-74": 3000.0,
    "75-79": 2000.0,
    "80-84": 1000.0,
    "85+": 1000.0,
}

_LEADING_ZEROS = re.compile(r"(?<!\d)0+(?=\d)")


def normalise_age_band(label: str) -> str:
    """Canonical age-band label: strip whitespace and leading zeros (``"00-04"`` → ``"0-4"``, ``"90 +"`` → ``"90+"``)."""
    s = re.sub(r"\s+", "", str(label))
    return _LEADING_ZEROS.sub("", s)


def normalise_age_band_expr(expr: pl.Expr) -> pl.Expr:
    """Polars-expression version of :func:`normalise_age_band` (vectorised)."""
    return (
        expr.cast(pl.String)
        .str.replace_all(r"\s+", "")
        .str.replace_all(r"(^|[^0-9])0+([0-9])", "${1}${2}")
    )


def esp2013_frame(bands: int = 19) -> pl.DataFrame:
    """ESP2013 as a polars frame with columns ``age_band`` and ``weight`` (19 or 21 bands)."""
    if bands == 19:
        d = ESP2013
    elif bands == 21:
        d = ESP2013_21
    else:
        raise ValueError("bands must be 19 or 21")
    return pl.DataFrame({"age_band": list(d), "weight": list(d.values())})
