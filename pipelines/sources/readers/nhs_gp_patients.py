"""Patients Registered at a GP Practice (NHS England, formerly NHS Digital): list sizes by practice, and by
practice x sex x age, and by practice x LSOA of residence.

Canonical shape (one row per month x practice x [LSOA] x sex x age band):

``month, practice_code, sub_icb_nhs_code, sub_icb_code, lsoa_code, lsoa_vintage, sex, age_band, age_lower,
age_upper, patients``

* ``sex``: 'P' (all persons), 'M', 'F' (the publisher's ALL / MALE / FEMALE).
* ``age_band``: 'all', a single year '0'..'94', '95+', or a five-year band '0-4'..'90-94'; ``age_lower`` /
  ``age_upper`` bound it (``age_upper`` null for 'all' and open bands).
* ``lsoa_code`` / ``lsoa_vintage`` only for the practice x LSOA file; the publisher's placeholder for patients
  without a resolvable LSOA ("NO2011") becomes a null ``lsoa_code`` (the patients are kept).

Layouts recognised from the header: ``gp-reg-pat-prac-all`` (practice totals), ``gp-reg-pat-prac-sing-age-*``
and ``gp-reg-pat-prac-quin-age`` (practice x sex x age), ``gp-reg-pat-prac-lsoa-all`` (practice x LSOA; R's
``Number.of.Patients`` spelling too), and the Blackburn with Darwen pyramid file (``ORG_CODE, SEX, AGE, POP,
abs_pop``; POP is negative for males, abs_pop is the count).

``read_practice_pcn_membership`` reads the Pennine Lancashire practice -> PCN name list.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import polars as pl

from ._io import LSOA_CODE_RE, RawTable, infer_lsoa_vintage, load_table, month_from_name, parse_month_text

log = logging.getLogger(__name__)

PATIENTS_SCHEMA: dict[str, pl.DataType] = {
    "month": pl.Date,
    "practice_code": pl.String,
    "sub_icb_nhs_code": pl.String,
    "sub_icb_code": pl.String,
    "lsoa_code": pl.String,
    "lsoa_vintage": pl.Int64,
    "sex": pl.String,
    "age_band": pl.String,
    "age_lower": pl.Int64,
    "age_upper": pl.Int64,
    "patients": pl.Int64,
}
_SEX = {"ALL": "P", "MALE": "M", "FEMALE": "F", "PERSONS": "P", "MALES": "M", "FEMALES": "F"}

ALIASES = {
    "extract_date": ["EXTRACT_DATE"],
    "practice_code": ["PRACTICE_CODE", "CODE", "ORG_CODE"],
    "sub_icb_nhs_code": ["SUB_ICB_LOCATION_CODE", "SUB_ICB_CODE", "CCG_CODE"],
    "sub_icb_code": ["ONS_SUB_ICB_LOCATION_CODE", "ONS_SUB_ICB_CODE", "ONS_CCG_CODE"],
    "type": ["TYPE"],
    "lsoa_code": ["LSOA_CODE", "LSOA_2011_CODE", "LSOA_2021_CODE"],
    "sex": ["SEX"],
    "age": ["AGE", "AGE_GROUP_5"],
    "patients": ["NUMBER_OF_PATIENTS", "Number.of.Patients", "abs_pop"],
    "pop_signed": ["POP"],
}


def _month(raw: RawTable, cols: dict[str, str], month: str | date | None) -> pl.Series:
    if "extract_date" in cols:
        return raw.to_month(cols["extract_date"], canonical="month")
    label = month.isoformat() if isinstance(month, date) else (month or month_from_name(raw.path))
    if label is None:
        log.warning("%s: no EXTRACT_DATE column and no month given; month left null", raw.path)
    return parse_month_text(pl.Series([label] * raw.df.height, dtype=pl.String))


def _age(raw: RawTable, col: str | None) -> tuple[pl.Series, pl.Series, pl.Series]:
    if col is None:
        n = raw.df.height
        return (pl.Series(["all"] * n), pl.Series([0] * n, dtype=pl.Int64),
                pl.Series([None] * n, dtype=pl.Int64))
    text = raw.df[col].str.to_uppercase()
    band = (pl.when(text == "ALL").then(pl.lit("all"))
            .otherwise(text.str.replace(r"^(\d+)_(\d+)$", "$1-$2").str.replace(r"^(\d+)_?PLUS$", "$1+")))
    band = pl.select(band).to_series()
    ok = band.str.contains(r"^(all|\d{1,3}|\d{1,3}\+|\d{1,3}-\d{1,3})$")
    bad = raw.first_bad(~ok.fill_null(False))
    if bad is not None:
        raise raw.error("unrecognised age or age band", record=bad, column=col, value=raw.df[col][raw._pos(bad)])
    lower = pl.select(pl.when(band == "all").then(0).otherwise(band.str.extract(r"^(\d+)", 1).cast(pl.Int64))).to_series()
    upper = pl.select(
        pl.when(band.str.contains(r"^\d+$")).then(band.cast(pl.Int64, strict=False))
        .when(band.str.contains("-")).then(band.str.extract(r"-(\d+)$", 1).cast(pl.Int64))
        .otherwise(None)).to_series()
    return band.alias("age_band"), lower.alias("age_lower"), upper.alias("age_upper")


def read_gp_registered_patients(path: Path | str, *, month: str | date | None = None,
                                lsoa_vintage: int | None = None) -> pl.DataFrame:
    """Any of the Patients Registered at a GP Practice CSVs (see module docstring) -> canonical shape.

    ``month`` is the extract's month ("01APR2020" -> 2020-04-01); for a file without EXTRACT_DATE give it
    (or put ``_YYYY-MM`` in the file name). ``lsoa_vintage`` (practice x LSOA files): 2011 unless the codes
    show 2021 boundaries, or as declared.
    """
    raw = load_table(path, header_hint=["PRACTICE_CODE", "CODE", "ORG_CODE"])
    cols = raw.resolve(ALIASES, required=["practice_code", "patients"])
    if "type" in cols:  # practice rows only; other TYPE values are aggregates
        keep = raw.df[cols["type"]] == "GP"
        raw.df = raw.df.filter(keep.fill_null(False))
    raw.check_pattern(cols["practice_code"], r"^[A-Z0-9]{3,6}$", what="practice code")

    patients = raw.to_int(cols["patients"], required=True, lo=0, canonical="patients")
    if "pop_signed" in cols:  # pyramid file: POP is -count for males, +count for females
        signed = raw.to_int(cols["pop_signed"], required=True, canonical="POP")
        bad = raw.first_bad(pl.select(signed.abs() != patients).to_series())
        if bad is not None:
            raise raw.error("abs_pop is not |POP|", record=bad, column=cols["patients"])

    if "sex" in cols:
        sex_text = raw.df[cols["sex"]].str.to_uppercase()
        bad = raw.first_bad(~sex_text.is_in(list(_SEX)).fill_null(False))
        if bad is not None:
            raise raw.error("unexpected sex label", record=bad, column=cols["sex"],
                            value=raw.df[cols["sex"]][raw._pos(bad)])
        sex = sex_text.replace_strict(_SEX, return_dtype=pl.String)
    else:
        sex = pl.Series(["P"] * raw.df.height)

    band, lower, upper = _age(raw, cols.get("age"))
    n = raw.df.height
    lsoa = pl.Series([None] * n, dtype=pl.String)
    vintage = pl.Series([None] * n, dtype=pl.Int64)
    if "lsoa_code" in cols:
        text = raw.df[cols["lsoa_code"]]
        placeholder = text.str.contains(r"^NO\d{4}$").fill_null(False)
        if placeholder.any():
            log.info("%s: %d rows with no resolvable LSOA (%s) kept with lsoa_code null", raw.path,
                     int(placeholder.sum()), text.filter(placeholder).unique().to_list())
        lsoa = pl.select(pl.when(placeholder).then(None).otherwise(text)).to_series()
        raw.df = raw.df.with_columns(lsoa.alias("__lsoa"))
        raw.check_pattern("__lsoa", LSOA_CODE_RE, what="LSOA code", allow_null=True)
        declared = lsoa_vintage or (2021 if "2021" in cols["lsoa_code"] else None)
        v = infer_lsoa_vintage(lsoa, declared, raw, cols["lsoa_code"])
        vintage = pl.Series([v] * n, dtype=pl.Int64)

    df = pl.DataFrame({
        "month": _month(raw, cols, month),
        "practice_code": raw.df[cols["practice_code"]],
        "sub_icb_nhs_code": raw.text_col(cols.get("sub_icb_nhs_code")),
        "sub_icb_code": raw.text_col(cols.get("sub_icb_code")),
        "lsoa_code": lsoa,
        "lsoa_vintage": vintage,
        "sex": sex,
        "age_band": band,
        "age_lower": lower,
        "age_upper": upper,
        "patients": patients,
    })
    keys = ["month", "practice_code", "lsoa_code", "sex", "age_band"]
    dup = raw.first_bad(pl.select(pl.struct(df.select(keys)).is_duplicated()).to_series())
    if dup is not None:
        raise raw.error(f"more than one row for the same {'/'.join(keys)}", record=dup,
                        column=cols["practice_code"])
    return df.select([pl.col(c).cast(t) for c, t in PATIENTS_SCHEMA.items()])


def read_practice_pcn_membership(path: Path | str) -> pl.DataFrame:
    """Pennine Lancashire list of practices and their PCN (by name) and CCG (short name):
    ``practice_code, practice_name, pcn_name, ccg_short_name``."""
    raw = load_table(path)
    cols = raw.resolve({"practice_code": ["PCode", "PRACTICE_CODE"], "practice_name": ["Practice Name"],
                        "pcn_name": ["PCN", "PCN_NAME"], "ccg_short_name": ["CCG"]},
                       required=["practice_code", "pcn_name"])
    raw.check_pattern(cols["practice_code"], r"^[A-Z]\d{5}$", what="practice code")
    return pl.DataFrame({c: raw.text_col(cols.get(c)).alias(c)
                         for c in ("practice_code", "practice_name", "pcn_name", "ccg_short_name")})
