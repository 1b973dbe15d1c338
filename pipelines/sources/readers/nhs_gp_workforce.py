"""General Practice Workforce (NHS England, formerly NHS Digital): practice-level FTE and headcount by staff
group, and PCN-employed staff by staff group.

:func:`read_practice_workforce` -> one row per practice x period:

``year, month, practice_code, practice_name, pcn_code, pcn_name, sub_icb_nhs_code, sub_icb_name, icb_nhs_code,
icb_name, patients, <staff>_fte ..., <staff>_hc ..., imd_score, imd_quintile, imd_quintile_published``

* Annual files (the HEEC compilation we mirror: ``Practice.Code, Year, ICB_NAME, TOTAL_PATIENTS, ...``) fill
  ``year`` (the mean of that year's monthly extracts) and leave ``month`` null; the publisher's monthly
  practice-level CSV (``PRAC_CODE, PRAC_NAME, SUB_ICB_CODE, ..., TOTAL_GP_EXTGL_FTE, ...``) fills ``month``.
* Staff columns are the publisher's ``TOTAL_*`` names without ``TOTAL_``, lower-case: ``gp_extgl_fte``
  (fully qualified GPs excluding trainees and locums), ``locuum_trn_fte`` (locums and trainees, publisher's
  spelling), ``nurses_fte``, ``dpc_fte`` (direct patient care), ``admin_fte``, ``gp_fte`` (all GPs), ...
* ``imd_quintile`` runs 1 = most deprived (as IMD deciles do). The HEEC files number it the other way
  (1 = least deprived); the direction is detected from the data (mean practice IMD score per published
  quintile) and ``imd_quintile_published`` keeps the number as published.

:func:`read_pcn_workforce` -> one row per PCN x year x staff group:
``year, pcn_code, pcn_name, icb_name, staff_group, fte, imd_score, imd_quintile, imd_quintile_published,
n_source_rows``. The compilation repeats a PCN within a year when its name changed (e.g. "ECCLES and IRLAM
PCN" / "ECCLES & IRLAM PCN") and has exact duplicate rows; exact duplicates are dropped, name variants are
averaged (their months are not known) and counted in ``n_source_rows``.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from pathlib import Path
from typing import Literal

import polars as pl

from ._io import RawTable, ReaderError, load_table, month_from_name, parse_month_text, snake

log = logging.getLogger(__name__)

QuintileOrder = Literal["auto", "most_deprived_first", "least_deprived_first"]

PRACTICE_LEAD: dict[str, pl.DataType] = {
    "year": pl.Int64,
    "month": pl.Date,
    "practice_code": pl.String,
    "practice_name": pl.String,
    "pcn_code": pl.String,
    "pcn_name": pl.String,
    "sub_icb_nhs_code": pl.String,
    "sub_icb_name": pl.String,
    "icb_nhs_code": pl.String,
    "icb_name": pl.String,
    "patients": pl.Float64,
}
IMD_TAIL: dict[str, pl.DataType] = {
    "imd_score": pl.Float64,
    "imd_quintile": pl.Int64,
    "imd_quintile_published": pl.Int64,
}

PRACTICE_ALIASES = {
    "year": ["Year"],
    "practice_code": ["Practice.Code", "PRAC_CODE", "PRACTICE_CODE"],
    "practice_name": ["PRAC_NAME", "PRACTICE_NAME"],
    "pcn_code": ["PCN_CODE"],
    "pcn_name": ["PCN_NAME"],
    "sub_icb_nhs_code": ["SUB_ICB_CODE", "SUB_ICB_LOCATION_CODE", "CCG_CODE"],
    "sub_icb_name": ["SUB_ICB_NAME", "SUB_ICB_LOCATION_NAME", "CCG_NAME"],
    "icb_nhs_code": ["ICB_CODE"],
    "icb_name": ["ICB_NAME", "ICB.NAME"],
    "patients": ["TOTAL_PATIENTS"],
    "imd_score": ["IMD", "IMD_SCORE"],
    "imd_quintile": ["IMD_quintile"],
}


def orient_quintile(raw: RawTable, score_col: str | None, quintile_col: str,
                    order: QuintileOrder = "auto") -> tuple[pl.Series, pl.Series]:
    """(canonical quintile with 1 = most deprived, published quintile).

    ``auto`` compares the mean IMD score of published quintiles 1 and 5: higher scores are more deprived,
    so if quintile 1 has the lower mean the file numbers from the least deprived and is reversed. The
    means must rise or fall steadily across the five quintiles, else the file is rejected.
    """
    published = raw.to_int(quintile_col, lo=1, hi=5, canonical="imd_quintile")
    if order == "auto":
        if score_col is None:
            raise raw.error("cannot tell which way the IMD quintile runs without an IMD score column; "
                            "pass imd_quintile_order=", column=quintile_col, line=raw.header_line)
        score = raw.to_float(score_col, canonical="imd_score")
        means = (pl.DataFrame({"q": published, "s": score}).drop_nulls()
                 .group_by("q").agg(pl.col("s").mean()).sort("q"))
        if means.height < 2:
            raise raw.error("too few IMD quintiles with scores to tell which way the quintile runs; "
                            "pass imd_quintile_order=", column=quintile_col, line=raw.header_line)
        m = means["s"].to_list()
        rising = all(a < b for a, b in zip(m, m[1:]))
        falling = all(a > b for a, b in zip(m, m[1:]))
        if not (rising or falling):
            raise raw.error(f"mean IMD score by quintile is not monotonic ({[round(x, 2) for x in m]}); "
                            "the quintile column does not follow the IMD score", column=quintile_col,
                            line=raw.header_line)
        order = "least_deprived_first" if rising else "most_deprived_first"
        log.info("%s: %s runs %s (mean IMD score by quintile %s)", raw.path, quintile_col,
                 order, [round(x, 1) for x in m])
    canonical = (6 - published) if order == "least_deprived_first" else published
    return canonical.alias("imd_quintile"), published.alias("imd_quintile_published")


def _staff_columns(raw: RawTable) -> dict[str, str]:
    out = {}
    for c in raw.columns:
        if re.fullmatch(r"TOTAL_.+_(FTE|HC)", c.strip(), flags=re.I):
            out[snake(c)[len("total_"):]] = c
    return out


def read_practice_workforce(path: Path | str, *, month: str | date | None = None,
                            imd_quintile_order: QuintileOrder = "auto") -> pl.DataFrame:
    """Practice-level GP workforce (annual compilation or the publisher's monthly CSV); see module docstring."""
    raw = load_table(path, header_hint=["Practice.Code", "PRAC_CODE", "PRACTICE_CODE"])
    cols = raw.resolve(PRACTICE_ALIASES, required=["practice_code", "patients"])
    staff = _staff_columns(raw)
    staff.pop("patients", None)
    if not staff:
        raise raw.error("no TOTAL_*_FTE / TOTAL_*_HC staff columns", line=raw.header_line)
    codes = raw.check_pattern(cols["practice_code"], r"^[A-Z0-9]{6}$", what="practice code")
    n = raw.df.height
    if "year" in cols:
        year = raw.to_int(cols["year"], required=True, lo=2000, hi=2100, canonical="year")
        month_s = pl.Series([None] * n, dtype=pl.Date)
    else:
        label = month.isoformat() if isinstance(month, date) else (month or month_from_name(raw.path))
        if label is None:
            raise raw.error("a monthly workforce file needs month= (or _YYYY-MM in its name)", line=raw.header_line)
        year = pl.Series([None] * n, dtype=pl.Int64)
        month_s = parse_month_text(pl.Series([label] * n, dtype=pl.String))
    key = pl.DataFrame({"p": codes, "y": year, "m": month_s})
    dup = raw.first_bad(pl.select(pl.struct(key).is_duplicated()).to_series())
    if dup is not None:
        raise raw.error("practice appears more than once in the same period", record=dup,
                        column=cols["practice_code"])

    data: dict[str, pl.Series] = {"year": year, "month": month_s}
    for c in ("practice_code", "practice_name", "pcn_code", "pcn_name", "sub_icb_nhs_code", "sub_icb_name",
              "icb_nhs_code", "icb_name"):
        data[c] = raw.text_col(cols.get(c))
    data["patients"] = raw.to_float(cols["patients"], lo=0, canonical="patients")
    for canon, header in staff.items():
        data[canon] = raw.to_float(header, lo=0, canonical=canon)
    data["imd_score"] = raw.to_float(cols.get("imd_score"), canonical="imd_score")
    if "imd_quintile" in cols:
        data["imd_quintile"], data["imd_quintile_published"] = orient_quintile(
            raw, cols.get("imd_score"), cols["imd_quintile"], imd_quintile_order)
    else:
        data["imd_quintile"] = data["imd_quintile_published"] = pl.Series([None] * n, dtype=pl.Int64)
    df = pl.DataFrame({k: v.alias(k) for k, v in data.items()})
    order = list(PRACTICE_LEAD) + list(staff) + list(IMD_TAIL)
    return df.select([pl.col(c).cast({**PRACTICE_LEAD, **IMD_TAIL}.get(c, pl.Float64)) for c in order])


def read_pcn_workforce(path: Path | str, *, imd_quintile_order: QuintileOrder = "auto") -> pl.DataFrame:
    """PCN-employed staff FTE by staff group and year (see module docstring)."""
    raw = load_table(path, header_hint="PCN_CODE")
    cols = raw.resolve({
        "pcn_code": ["PCN_CODE"], "year": ["Year"], "pcn_name": ["PCN_NAME"], "icb_name": ["ICB_NAME"],
        "staff_group": ["STAFF_GROUP"], "fte": ["FTE"], "imd_score": ["IMD"], "imd_quintile": ["IMD_quintile"],
    }, required=["pcn_code", "year", "staff_group", "fte"])
    raw.check_pattern(cols["pcn_code"], r"^U\d{5}$", what="PCN code")
    raw.require(cols["staff_group"], canonical="staff_group")
    quint, published = (orient_quintile(raw, cols.get("imd_score"), cols["imd_quintile"], imd_quintile_order)
                        if "imd_quintile" in cols else (None, None))
    df = pl.DataFrame({
        "year": raw.to_int(cols["year"], required=True, lo=2000, hi=2100, canonical="year"),
        "pcn_code": raw.df[cols["pcn_code"]],
        "pcn_name": raw.text_col(cols.get("pcn_name")),
        "icb_name": raw.text_col(cols.get("icb_name")),
        "staff_group": raw.df[cols["staff_group"]],
        "fte": raw.to_float(cols["fte"], required=True, lo=0, canonical="fte"),
        "imd_score": raw.to_float(cols.get("imd_score"), canonical="imd_score"),
        "imd_quintile": quint if quint is not None else pl.Series([None] * raw.df.height, dtype=pl.Int64),
        "imd_quintile_published": published if published is not None else pl.Series([None] * raw.df.height,
                                                                                      dtype=pl.Int64),
    })
    exact = df.height - df.unique().height
    df = df.unique(maintain_order=True)
    keys = ["year", "pcn_code", "staff_group"]
    out = (df.group_by(keys, maintain_order=True)
           .agg(pl.col("pcn_name").first(), pl.col("icb_name").first(), pl.col("fte").mean(),
                pl.col("imd_score").first(), pl.col("imd_quintile").first(),
                pl.col("imd_quintile_published").first(), pl.len().alias("n_source_rows")))
    if exact or (out["n_source_rows"] > 1).any():
        log.info("%s: dropped %d exact duplicate rows; %d PCN-year-staff groups had name variants (FTE averaged)",
                 raw.path, exact, int((out["n_source_rows"] > 1).sum()))
    return out.select("year", "pcn_code", "pcn_name", "icb_name", "staff_group", "fte", "imd_score",
                      "imd_quintile", "imd_quintile_published", pl.col("n_source_rows").cast(pl.Int64))


__all__ = ["read_practice_workforce", "read_pcn_workforce", "orient_quintile", "ReaderError"]
