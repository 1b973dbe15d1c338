"""NHS England "A&E Attendances and Emergency Admissions" monthly statistics, and ODS trust successions.

Canonical shape (one row per month x organisation):

``month, org_code, org_level, attendances_all, attendances_type1, attendances_type2, attendances_other,
attendances_over_4h, attendances_type1_over_4h, emergency_admissions, emergency_admissions_via_ae,
emergency_admissions_via_ae_type1, dta_over_4h, dta_over_12h``

* ``org_level`` 'icb' (ICB GSS code, E54...) or 'trust' (provider ODS code).
* ``emergency_admissions`` is the publisher's *total* emergency admissions (via A&E + other);
  ``emergency_admissions_via_ae`` only those via A&E. A column a file lacks is null (the 2021-25 trust and
  ICB files give totals only, no split by A&E type; the 2016-19 file gives attendances, 4-hour breaches and
  admissions via A&E by department type but no other emergency admissions).
* ``dta_over_4h`` / ``dta_over_12h``: patients waiting more than 4 / 12 hours from decision to admit
  ("trolley waits"); the healthyr compilation calls the first ``emergency_admissions_over_4hours``.

Readers:
  :func:`read_ae_monthly` - the healthyr ICB and trust compilations (``date`` like "April 2022");
  :func:`read_ae_by_type` - NHSRdatasets ``ae_attendances`` (provider x month x type 1 / 2 / other, long);
  :func:`read_ae_monthly_provider_csv` - the publisher's monthly provider CSV (``Period`` "MSitAE-APRIL-2019").

Months missing from a series are *reported*, never filled: :func:`month_coverage`. Trust codes that stop
because the trust merged are mapped to their successor with :func:`read_trust_successions` and
:func:`resolve_successors`.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import polars as pl

from ._io import ReaderError, load_table

log = logging.getLogger(__name__)

AE_SCHEMA: dict[str, pl.DataType] = {
    "month": pl.Date,
    "org_code": pl.String,
    "org_level": pl.String,
    "attendances_all": pl.Int64,
    "attendances_type1": pl.Int64,
    "attendances_type2": pl.Int64,
    "attendances_other": pl.Int64,
    "attendances_over_4h": pl.Int64,
    "attendances_type1_over_4h": pl.Int64,
    "emergency_admissions": pl.Int64,
    "emergency_admissions_via_ae": pl.Int64,
    "emergency_admissions_via_ae_type1": pl.Int64,
    "dta_over_4h": pl.Int64,
    "dta_over_12h": pl.Int64,
}

# Successions after the end of the ODS successor file we mirror (it stops at 2022-04-01). Evidence in the
# A&E series themselves: the old code's series ends the month before, and the successor's attendances step
# up from the effective month (RVY last June 2023, RBN ~14,650 -> 24,491 in July 2023; RA4 last March 2023,
# RH5 ~15,300 -> 20,235 in April 2023).
LATER_SUCCESSIONS = pl.DataFrame(
    {"old_code": ["RVY", "RA4"], "new_code": ["RBN", "RH5"],
     "effective_date": [date(2023, 7, 1), date(2023, 4, 1)],
     "note": ["Southport and Ormskirk Hospital NHS Trust merged with St Helens and Knowsley Teaching Hospitals "
              "(RBN) to form Mersey and West Lancashire Teaching Hospitals NHS Trust (RBN), 1 July 2023",
              "Yeovil District Hospital NHS FT merged into Somerset NHS FT (RH5), 1 April 2023"]},
    schema={"old_code": pl.String, "new_code": pl.String, "effective_date": pl.Date, "note": pl.String},
)


def _finish(df: pl.DataFrame) -> pl.DataFrame:
    missing = [pl.lit(None, dtype=t).alias(c) for c, t in AE_SCHEMA.items() if c not in df.columns]
    return df.with_columns(missing).select([pl.col(c).cast(t) for c, t in AE_SCHEMA.items()])


def read_ae_monthly(path: Path | str, *, org_level: str | None = None) -> pl.DataFrame:
    """healthyr compilation of the monthly A&E files at ICB (``icb22_code``) or trust (``nhs_trust22_code``)
    level. ``date`` ("April 2022") becomes ``month`` (2022-04-01)."""
    raw = load_table(path)
    cols = raw.resolve({
        "icb": ["icb22_code", "icb_code"], "trust": ["nhs_trust22_code", "trust_code", "org_code"],
        "month": ["date", "month", "period"],
        "attendances_all": ["total_attendances"],
        "attendances_over_4h": ["attendances_over_4hours"],
        "emergency_admissions": ["total_emergency_admissions"],
        "dta_over_4h": ["emergency_admissions_over_4hours"],
    }, required=["month", "attendances_all", "emergency_admissions"])
    if "icb" in cols:
        level, code_col, pattern = "icb", cols["icb"], r"^E54\d{6}$"
    elif "trust" in cols:
        level, code_col, pattern = "trust", cols["trust"], r"^[A-Z0-9]{3,6}$"
    else:
        raise raw.error("no organisation code column (icb22_code or nhs_trust22_code)", line=raw.header_line)
    if org_level is not None and org_level != level:
        raise raw.error(f"file is {level} level, not {org_level}", line=raw.header_line)
    raw.check_pattern(code_col, pattern, what=f"{level} code")
    month = raw.to_month(cols["month"], canonical="month")
    df = pl.DataFrame({
        "month": month,
        "org_code": raw.df[code_col],
        "org_level": pl.Series([level] * raw.df.height),
        "attendances_all": raw.to_int(cols["attendances_all"], required=True, lo=0, canonical="attendances_all"),
        "attendances_over_4h": raw.to_int(cols.get("attendances_over_4h"), lo=0, canonical="attendances_over_4h"),
        "emergency_admissions": raw.to_int(cols["emergency_admissions"], required=True, lo=0,
                                           canonical="emergency_admissions"),
        "dta_over_4h": raw.to_int(cols.get("dta_over_4h"), lo=0, canonical="dta_over_4h"),
    })
    dup = raw.first_bad(pl.select(pl.struct(df.select("month", "org_code")).is_duplicated()).to_series())
    if dup is not None:
        raise raw.error("organisation appears twice in the same month", record=dup, column=code_col)
    out = _finish(df).sort("org_code", "month")
    _log_gaps(raw.path, out)
    return out


def read_ae_by_type(path: Path | str) -> pl.DataFrame:
    """NHSRdatasets ``ae_attendances`` (long: ``period, org_code, type, attendances, breaches, admissions``).

    Pivoted to one row per provider x month. A department type with no row in a month the provider reported
    counts 0 (the publisher prints 0 for a type a provider does not run). ``emergency_admissions`` (total) is
    null: the file holds admissions via A&E only.
    """
    raw = load_table(path)
    cols = raw.resolve({"period": ["period"], "org_code": ["org_code"], "type": ["type"],
                        "attendances": ["attendances"], "breaches": ["breaches"], "admissions": ["admissions"]},
                       required=["period", "org_code", "type", "attendances", "breaches", "admissions"])
    raw.check_pattern(cols["org_code"], r"^[A-Z0-9]{3,6}$", what="provider code")
    typ = raw.check_in(cols["type"], ["1", "2", "other"], what="A&E department type")
    long = pl.DataFrame({
        "month": raw.to_month(cols["period"], canonical="month"),
        "org_code": raw.df[cols["org_code"]],
        "type": typ,
        "att": raw.to_int(cols["attendances"], required=True, lo=0, canonical="attendances"),
        "br": raw.to_int(cols["breaches"], required=True, lo=0, canonical="breaches"),
        "adm": raw.to_int(cols["admissions"], required=True, lo=0, canonical="admissions"),
    })
    dup = raw.first_bad(pl.select(pl.struct(long.select("month", "org_code", "type")).is_duplicated()).to_series())
    if dup is not None:
        raise raw.error("provider, month and type appear more than once", record=dup, column=cols["type"])

    def by(t: str, c: str) -> pl.Expr:
        return pl.col(c).filter(pl.col("type") == t).sum()

    wide = long.group_by("month", "org_code").agg(
        pl.col("att").sum().alias("attendances_all"),
        by("1", "att").alias("attendances_type1"),
        by("2", "att").alias("attendances_type2"),
        by("other", "att").alias("attendances_other"),
        pl.col("br").sum().alias("attendances_over_4h"),
        by("1", "br").alias("attendances_type1_over_4h"),
        pl.col("adm").sum().alias("emergency_admissions_via_ae"),
        by("1", "adm").alias("emergency_admissions_via_ae_type1"),
    ).with_columns(pl.lit("trust").alias("org_level"))
    out = _finish(wide).sort("org_code", "month")
    _log_gaps(raw.path, out)
    return out


_NHSE_COLUMNS = {
    "period": ["Period"],
    "org_code": ["Org Code"],
    "type1": ["A&E attendances Type 1"],
    "type2": ["A&E attendances Type 2"],
    "other": ["A&E attendances Other A&E Department"],
    "booked1": ["A&E attendances Booked Appointments Type 1"],
    "booked2": ["A&E attendances Booked Appointments Type 2"],
    "booked_other": ["A&E attendances Booked Appointments Other Department"],
    "over4_1": ["Attendances over 4hrs Type 1"],
    "over4_2": ["Attendances over 4hrs Type 2"],
    "over4_other": ["Attendances over 4hrs Other Department"],
    "over4_booked1": ["Attendances over 4hrs Booked Appointments Type 1"],
    "over4_booked2": ["Attendances over 4hrs Booked Appointments Type 2"],
    "over4_booked_other": ["Attendances over 4hrs Booked Appointments Other Department"],
    "dta_4_12": ["Patients who have waited 4-12 hs from DTA to admission"],
    "dta_12": ["Patients who have waited 12+ hrs from DTA to admission"],
    "adm_1": ["Emergency admissions via A&E - Type 1"],
    "adm_2": ["Emergency admissions via A&E - Type 2"],
    "adm_other": ["Emergency admissions via A&E - Other A&E department"],
    "adm_nonae": ["Other emergency admissions"],
}


def read_ae_monthly_provider_csv(path: Path | str) -> pl.DataFrame:
    """The publisher's monthly provider-level CSV (``Period, Org Code, Parent Org, Org name, A&E attendances
    Type 1, ...``). Booked-appointment columns (from 2020s editions) count towards their type; the
    publisher's "Total" rows (no Org Code) are dropped."""
    raw = load_table(path, header_hint="Org Code")
    cols = raw.resolve(_NHSE_COLUMNS, required=["period", "org_code", "type1", "type2", "other", "adm_1",
                                               "adm_2", "adm_other", "adm_nonae"])
    raw.df = raw.df.filter(raw.df[cols["org_code"]].is_not_null()
                           & (raw.df[cols["org_code"]].str.to_uppercase() != "TOTAL"))
    raw.check_pattern(cols["org_code"], r"^[A-Z0-9]{3,6}$", what="provider code")

    def num(key: str) -> pl.Series:
        return raw.to_int(cols.get(key), lo=0, canonical=key).fill_null(0)

    t1 = num("type1") + num("booked1")
    t2 = num("type2") + num("booked2")
    oth = num("other") + num("booked_other")
    over1 = num("over4_1") + num("over4_booked1")
    over = over1 + num("over4_2") + num("over4_other") + num("over4_booked2") + num("over4_booked_other")
    via = num("adm_1") + num("adm_2") + num("adm_other")
    dta12 = raw.to_int(cols.get("dta_12"), lo=0, canonical="dta_12")
    df = pl.DataFrame({
        "month": raw.to_month(cols["period"], canonical="month"),
        "org_code": raw.df[cols["org_code"]],
        "org_level": pl.Series(["trust"] * raw.df.height),
        "attendances_all": t1 + t2 + oth,
        "attendances_type1": t1, "attendances_type2": t2, "attendances_other": oth,
        "attendances_over_4h": over, "attendances_type1_over_4h": over1,
        "emergency_admissions": via + num("adm_nonae"),
        "emergency_admissions_via_ae": via,
        "emergency_admissions_via_ae_type1": num("adm_1"),
        "dta_over_4h": (raw.to_int(cols.get("dta_4_12"), lo=0).fill_null(0) + dta12.fill_null(0))
        if "dta_4_12" in cols else pl.Series([None] * raw.df.height, dtype=pl.Int64),
        "dta_over_12h": dta12,
    })
    return _finish(df).sort("org_code", "month")


# -- coverage and successions -------------------------------------------------------------------------

def month_coverage(df: pl.DataFrame, *, key: str = "org_code", month: str = "month",
                   successions: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per series: ``org_code, first_month, last_month, n_months, missing_months`` (list of months
    absent between the first and last), ``ends_early`` / ``starts_late`` against the file's own span, and,
    given ``successions`` (see :func:`resolve_successors`), ``successor_code`` for series that end early.
    Missing months are reported, never filled."""
    lo, hi = df[month].min(), df[month].max()
    cov = (df.group_by(key).agg(pl.col(month).min().alias("first_month"), pl.col(month).max().alias("last_month"),
                                pl.col(month).n_unique().alias("n_months"), pl.col(month).unique().alias("_m"))
           .with_columns(pl.date_ranges("first_month", "last_month", "1mo").alias("_all")))
    cov = cov.with_columns(pl.col("_all").list.set_difference("_m").list.sort().alias("missing_months")).drop("_m", "_all")
    cov = cov.with_columns((pl.col("last_month") < hi).alias("ends_early"),
                           (pl.col("first_month") > lo).alias("starts_late"))
    if successions is not None:
        succ = resolve_successors(successions, as_of=None)
        cov = cov.join(succ.select(pl.col("old_code").alias(key), pl.col("successor_code")), on=key, how="left")
        cov = cov.with_columns(pl.when(pl.col("ends_early")).then(pl.col("successor_code")).alias("successor_code"))
    return cov.sort(key)


def _log_gaps(path: Path, df: pl.DataFrame) -> None:
    cov = month_coverage(df)
    gaps = cov.filter(pl.col("missing_months").list.len() > 0)
    for row in gaps.iter_rows(named=True):
        log.warning("%s: %s has no rows for %s", path, row["org_code"],
                    ", ".join(m.strftime("%Y-%m") for m in row["missing_months"]))


def read_trust_successions(path: Path | str, *, include_later: bool = True) -> pl.DataFrame:
    """ODS successor lookup (``old_code, new_code, date``) -> ``old_code, new_code, effective_date, note``.

    The mirrored file ends at 2022-04-01; with ``include_later`` the successions documented in
    :data:`LATER_SUCCESSIONS` (RVY -> RBN July 2023, RA4 -> RH5 April 2023) are appended.
    """
    raw = load_table(path)
    cols = raw.resolve({"old": ["old_code"], "new": ["new_code"], "date": ["date", "effective_date"]},
                       required=["old", "new", "date"])
    raw.check_pattern(cols["old"], r"^[A-Z0-9]{2,6}$", what="ODS code")
    raw.check_pattern(cols["new"], r"^[A-Z0-9]{2,6}$", what="ODS code")
    df = pl.DataFrame({
        "old_code": raw.df[cols["old"]],
        "new_code": raw.df[cols["new"]],
        "effective_date": raw.to_date(cols["date"], "%Y-%m-%d", canonical="effective_date"),
        "note": pl.Series([None] * raw.df.height, dtype=pl.String),
    })
    if include_later:
        df = pl.concat([df, LATER_SUCCESSIONS.join(df, on=["old_code", "new_code"], how="anti")])
    return df


def resolve_successors(successions: pl.DataFrame, *, as_of: date | None = None) -> pl.DataFrame:
    """Follow successions to the latest code: ``old_code, successor_code, effective_date, split``.

    An old code with several successors (a trust split between two, e.g. RW6 -> RM3 and R0A in 2021) is
    ``split = True`` with ``successor_code`` null: its activity cannot be given to one successor. Chains
    (A -> B -> C) resolve to C; a cycle is an error. ``as_of`` ignores successions effective later.
    """
    s = successions if as_of is None else successions.filter(pl.col("effective_date") <= as_of)
    s = s.filter(pl.col("old_code") != pl.col("new_code")).unique(["old_code", "new_code"])
    fan = s.group_by("old_code").agg(pl.col("new_code").n_unique().alias("n"), pl.col("new_code").first(),
                                     pl.col("effective_date").max())
    nxt = dict(zip(fan.filter(pl.col("n") == 1)["old_code"], fan.filter(pl.col("n") == 1)["new_code"]))
    split = set(fan.filter(pl.col("n") > 1)["old_code"].to_list())
    out_codes, out_succ, out_split = [], [], []
    for old in fan["old_code"].to_list():
        if old in split:
            out_codes.append(old), out_succ.append(None), out_split.append(True)
            continue
        seen, cur = {old}, nxt[old]
        while cur in nxt and cur not in split:
            if cur in seen:
                raise ValueError(f"trust succession cycle through {cur}")
            seen.add(cur)
            cur = nxt[cur]
        out_codes.append(old), out_succ.append(None if cur in split else cur), out_split.append(cur in split)
    res = pl.DataFrame({"old_code": out_codes, "successor_code": out_succ, "split": out_split},
                       schema={"old_code": pl.String, "successor_code": pl.String, "split": pl.Boolean})
    return res.join(fan.select("old_code", "effective_date"), on="old_code").select(
        "old_code", "successor_code", "effective_date", "split")


def apply_successions(df: pl.DataFrame, successions: pl.DataFrame, *, key: str = "org_code") -> pl.DataFrame:
    """Add ``org_code_current``: the latest successor of ``org_code`` (itself when it has none or was split)."""
    succ = resolve_successors(successions)
    return (df.join(succ.select(pl.col("old_code").alias(key), "successor_code"), on=key, how="left")
            .with_columns(pl.coalesce("successor_code", key).alias(f"{key}_current")).drop("successor_code"))


__all__ = ["read_ae_monthly", "read_ae_by_type", "read_ae_monthly_provider_csv", "month_coverage",
           "read_trust_successions", "resolve_successors", "apply_successions", "ReaderError"]
