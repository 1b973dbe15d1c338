"""ONS Open Geography Portal lookups: LSOA -> sub-ICB location -> ICB (-> LAD), and LSOA 2011 -> 2021.

Canonical shape of :func:`read_lsoa_icb_lookup` (one row per LSOA):

``lsoa_code, lsoa_name, lsoa_vintage, sub_icb_code, sub_icb_nhs_code, sub_icb_name, icb_code, icb_nhs_code,
icb_name, lad_code, lad_name, boundary_year``

``*_code`` are ONS GSS codes (E38..., E54...), ``*_nhs_code`` the NHS ODS codes (00Q, QE1).
Files without a column (the 2024 LSOA21 lookup has no LAD) give nulls. The April-2021 CCG/STP lookup
reads into the same shape (CCG -> sub_icb, STP -> icb; no NHS codes in that file).

When a file carries no ``*_nhs_code`` column, the code is taken from the sub-ICB location name, which ends
in it ("NHS Lancashire and South Cumbria ICB - 00Q"); ICB NHS codes are never guessed.

:func:`read_lsoa11_lsoa21_lookup` gives ``lsoa11_code, lsoa11_name, lsoa21_code, lsoa21_name, change_code,
lad_code, lad_name`` (one row per LSOA11 x LSOA21 pair; change_code U unchanged, S split, M merged,
X irregular).
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from ._io import LSOA_CODE_RE, infer_lsoa_vintage, load_table

LOOKUP_SCHEMA: dict[str, pl.DataType] = {
    "lsoa_code": pl.String,
    "lsoa_name": pl.String,
    "lsoa_vintage": pl.Int64,
    "sub_icb_code": pl.String,
    "sub_icb_nhs_code": pl.String,
    "sub_icb_name": pl.String,
    "icb_code": pl.String,
    "icb_nhs_code": pl.String,
    "icb_name": pl.String,
    "lad_code": pl.String,
    "lad_name": pl.String,
    "boundary_year": pl.Int64,
}

VINTAGE_SCHEMA: dict[str, pl.DataType] = {
    "lsoa11_code": pl.String,
    "lsoa11_name": pl.String,
    "lsoa21_code": pl.String,
    "lsoa21_name": pl.String,
    "change_code": pl.String,
    "lad_code": pl.String,
    "lad_name": pl.String,
}


def _year_aliases(stem: str, years: range, forms: list[str]) -> list[str]:
    return [f.format(stem=stem, yy=f"{y:02d}") for y in years for f in forms]


_YEARS = range(30, 10, -1)  # newest first
LOOKUP_ALIASES: dict[str, list[str]] = {
    "lsoa_code": ["lsoa11_code", "lsoa21_code", "LSOA11CD", "LSOA21CD", "LSOA Code"],
    "lsoa_name": ["lsoa11_name", "lsoa21_name", "LSOA11NM", "LSOA21NM", "LSOA Name"],
    "sub_icb_code": _year_aliases("sicbl", _YEARS, ["{stem}{yy}_code", "SICBL{yy}CD", "LOC{yy}CD"])
    + _year_aliases("ccg", _YEARS, ["{stem}{yy}_code", "CCG{yy}CD"]),
    "sub_icb_nhs_code": _year_aliases("sicbl", _YEARS, ["{stem}{yy}_code_h", "{stem}{yy}_code_nhs",
                                                        "SICBL{yy}CDH", "LOC{yy}CDH"])
    + _year_aliases("ccg", _YEARS, ["{stem}{yy}_code_h", "{stem}{yy}_code_nhs", "CCG{yy}CDH"]),
    "sub_icb_name": _year_aliases("sicbl", _YEARS, ["{stem}{yy}_name", "SICBL{yy}NM", "LOC{yy}NM"])
    + _year_aliases("ccg", _YEARS, ["{stem}{yy}_name", "CCG{yy}NM"]),
    "icb_code": _year_aliases("icb", _YEARS, ["{stem}{yy}_code", "ICB{yy}CD"])
    + _year_aliases("stp", _YEARS, ["{stem}{yy}_code", "STP{yy}CD"]),
    "icb_nhs_code": _year_aliases("icb", _YEARS, ["{stem}{yy}_code_h", "{stem}{yy}_code_nhs", "ICB{yy}CDH"])
    + _year_aliases("stp", _YEARS, ["{stem}{yy}_code_h", "STP{yy}CDH"]),
    "icb_name": _year_aliases("icb", _YEARS, ["{stem}{yy}_name", "ICB{yy}NM"])
    + _year_aliases("stp", _YEARS, ["{stem}{yy}_name", "STP{yy}NM"]),
    "lad_code": _year_aliases("ltla", _YEARS, ["{stem}{yy}_code"]) + _year_aliases("lad", _YEARS, ["LAD{yy}CD"]),
    "lad_name": _year_aliases("ltla", _YEARS, ["{stem}{yy}_name"]) + _year_aliases("lad", _YEARS, ["LAD{yy}NM"]),
}


def read_lsoa_icb_lookup(path: Path | str, *, lsoa_vintage: int | None = None) -> pl.DataFrame:
    """LSOA (2011 or 2021) -> sub-ICB location (or CCG) -> ICB (or STP) -> LAD lookup."""
    raw = load_table(path, header_hint=["LSOA11CD", "LSOA21CD", "lsoa11_code", "lsoa21_code"])
    cols = raw.resolve(LOOKUP_ALIASES, required=["lsoa_code", "sub_icb_code", "icb_code"])
    code_col = cols["lsoa_code"]
    header_vintage = 2021 if "21" in code_col.lower() else 2011 if "11" in code_col.lower() else None
    codes = raw.check_pattern(code_col, LSOA_CODE_RE, what="LSOA code")
    vintage = infer_lsoa_vintage(codes, lsoa_vintage or header_vintage, raw, code_col)
    dup = raw.first_bad(codes.is_duplicated())
    if dup is not None:
        raise raw.error("LSOA code appears more than once in a one-row-per-LSOA lookup", record=dup, column=code_col)
    raw.check_pattern(cols["sub_icb_code"], r"^E38\d{6}$", what="sub-ICB location / CCG GSS code")
    raw.check_pattern(cols["icb_code"], r"^E54\d{6}$", what="ICB / STP GSS code")

    sub_icb_name = raw.text_col(cols.get("sub_icb_name"))
    if "sub_icb_nhs_code" in cols:
        sub_icb_nhs = raw.text_col(cols["sub_icb_nhs_code"])
    else:  # the names end in the ODS code: "NHS Cheshire and Merseyside ICB - 01F"
        sub_icb_nhs = sub_icb_name.str.extract(r" - ([0-9A-Z]{3})$", 1)
    m = re.search(r"(\d{2})", cols["icb_code"])
    year = 2000 + int(m.group(1)) if m else None
    df = pl.DataFrame({
        "lsoa_code": codes,
        "lsoa_name": raw.text_col(cols.get("lsoa_name")),
        "lsoa_vintage": pl.Series([vintage] * raw.df.height, dtype=pl.Int64),
        "sub_icb_code": raw.text_col(cols["sub_icb_code"]),
        "sub_icb_nhs_code": sub_icb_nhs,
        "sub_icb_name": sub_icb_name,
        "icb_code": raw.text_col(cols["icb_code"]),
        "icb_nhs_code": raw.text_col(cols.get("icb_nhs_code")),
        "icb_name": raw.text_col(cols.get("icb_name")),
        "lad_code": raw.text_col(cols.get("lad_code")),
        "lad_name": raw.text_col(cols.get("lad_name")),
        "boundary_year": pl.Series([year] * raw.df.height, dtype=pl.Int64),
    })
    return df.select([pl.col(c).cast(t) for c, t in LOOKUP_SCHEMA.items()])


VINTAGE_ALIASES = {
    "lsoa11_code": ["lsoa11_code", "LSOA11CD", "F_LSOA11CD"],
    "lsoa11_name": ["lsoa11_name", "LSOA11NM"],
    "lsoa21_code": ["lsoa21_code", "LSOA21CD"],
    "lsoa21_name": ["lsoa21_name", "LSOA21NM"],
    "change_code": ["change_code", "CHGIND"],
    "lad_code": LOOKUP_ALIASES["lad_code"],
    "lad_name": LOOKUP_ALIASES["lad_name"],
}


def read_lsoa11_lsoa21_lookup(path: Path | str) -> pl.DataFrame:
    """ONS LSOA (2011) -> LSOA (2021) -> LAD best-fit lookup, one row per LSOA11 x LSOA21 pair."""
    raw = load_table(path, header_hint=["LSOA11CD", "F_LSOA11CD", "lsoa11_code"])
    cols = raw.resolve(VINTAGE_ALIASES, required=["lsoa11_code", "lsoa21_code", "change_code"])
    raw.check_pattern(cols["lsoa11_code"], LSOA_CODE_RE, what="LSOA 2011 code")
    raw.check_pattern(cols["lsoa21_code"], LSOA_CODE_RE, what="LSOA 2021 code")
    raw.check_in(cols["change_code"], ["U", "S", "M", "X"], what="change code")
    pair = pl.struct(raw.df[cols["lsoa11_code"]], raw.df[cols["lsoa21_code"]])
    dup = raw.first_bad(pl.select(pair.is_duplicated()).to_series())
    if dup is not None:
        raise raw.error("LSOA11 x LSOA21 pair appears more than once", record=dup, column=cols["lsoa21_code"])
    df = pl.DataFrame({c: raw.text_col(cols.get(c)).alias(c) for c in VINTAGE_SCHEMA})
    return df
