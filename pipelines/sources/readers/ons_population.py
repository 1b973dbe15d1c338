"""ONS population estimates: small-area (LSOA) single year of age, and England by sex and single year of age;
plus the 2013 European Standard Population (Eurostat) the rates are standardised to.

:func:`read_lsoa_population_syoa` -> long ``year, lsoa_code, lsoa_vintage, age, sex, population``: one row per
LSOA x single year of age (0..90, 90 = 90 and over) x sex. ``sex`` is 'P' (persons), 'M' or 'F'.
Our mirror holds persons only (humaniverse/demographr layout); the ONS SAPE layouts ("LSOA Code, LSOA Name,
..., All Ages, 0, ..., 90+", one sheet or file per sex) and the 2021-based layout with "F0..F90, M0..M90"
columns read into the same shape. England *and Wales* LSOAs are returned as published.

:func:`read_mye_country_sex_syoa` -> ``year, area_code, sex ('M'/'F'), age (0..90), population`` for one
country (England, E92000001, by default).

:func:`read_esp2013` -> ``age_band, age_lower, age_upper, esp2013_population`` (19 bands, sums to 100,000).
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from ._io import LSOA_CODE_RE, RawTable, ReaderError, infer_lsoa_vintage, load_table, norm_header

LSOA_POP_SCHEMA = {"year": pl.Int64, "lsoa_code": pl.String, "lsoa_vintage": pl.Int64, "age": pl.Int64,
                   "sex": pl.String, "population": pl.Int64}
MYE_SCHEMA = {"year": pl.Int64, "area_code": pl.String, "sex": pl.String, "age": pl.Int64,
              "population": pl.Int64}

_SEX_WORDS = {"persons": "P", "person": "P", "all": "P", "males": "M", "male": "M", "females": "F",
              "female": "F", "p": "P", "m": "M", "f": "F"}


def _year_from(raw: RawTable, declared: int | None) -> int:
    if declared is not None:
        return declared
    for text in (raw.sheet or "", raw.path.name):
        m = re.search(r"mid[-_ ]?(\d{4})", text, flags=re.I)
        if m:
            return int(m.group(1))
    raise raw.error("cannot tell the mid-year of the estimates from the sheet or file name; pass year=",
                    line=raw.header_line)


def _sex_from(raw: RawTable, declared: str | None) -> str | None:
    if declared is not None:
        if declared.lower() not in _SEX_WORDS:
            raise ValueError(f"sex must be one of P/M/F (or persons/males/females), got {declared!r}")
        return _SEX_WORDS[declared.lower()]
    for text in (raw.sheet or "", raw.path.name):
        m = re.search(r"(?<![a-z])(persons|females|males)(?![a-z])", text, flags=re.I)
        if m:
            return _SEX_WORDS[m.group(1).lower()]
    return None


def read_lsoa_population_syoa(path: Path | str, *, year: int | None = None, sex: str | None = None,
                              lsoa_vintage: int | None = None, sheet: str | None = None) -> pl.DataFrame:
    """ONS mid-year LSOA population by single year of age, long format (see module docstring).

    ``year`` comes from the sheet or file name ("mid2019", "Mid-2019 Persons") unless given; ``sex`` from the
    sheet or file name ("persons", "males", "females"), else the file's F0/M0 columns, else 'P' for a file
    with a persons total only (the demographr layout, which our mirror holds).
    """
    raw = load_table(path, sheet=sheet, header_hint=["LSOA Code", "lsoa11_code", "lsoa21_code", "Area Codes",
                                                     "LSOA 2021 Code", "LSOA 2011 Code"])
    cols = raw.resolve({
        "lsoa_code": ["lsoa11_code", "lsoa21_code", "LSOA Code", "LSOA 2021 Code", "LSOA 2011 Code",
                      "LSOA11CD", "LSOA21CD", "Area Codes"],
        "total": ["total_population", "All Ages", "Total", "all_ages"],
    }, required=["lsoa_code"])
    code_col = cols["lsoa_code"]
    codes = raw.df[code_col]
    # Formatted ONS sheets carry LA and region rows too; only LSOA rows are data.
    lsoa_rows = codes.str.contains(LSOA_CODE_RE).fill_null(False)
    if not bool(lsoa_rows.all()) and code_col == "Area Codes":
        raw = RawTable(path=raw.path, df=raw.df.filter(lsoa_rows), kind=raw.kind, header=raw.header,
                       sheet=raw.sheet, first_data_row=raw.first_data_row, text=raw.text)
    codes = raw.check_pattern(code_col, LSOA_CODE_RE, what="LSOA code")
    n = norm_header(code_col)
    header_vintage = 2021 if "21" in n else 2011 if "11" in n else None
    vintage = infer_lsoa_vintage(codes, lsoa_vintage or header_vintage, raw, code_col)
    yr = _year_from(raw, year)

    age_cols: dict[str, tuple[str | None, int]] = {}
    for c in raw.columns:
        h = c.strip()
        if m := re.fullmatch(r"(\d{1,2})(\+)?", h):
            age_cols[c] = (None, int(m.group(1)))
        elif m := re.fullmatch(r"([FMfm])(\d{1,2})(\+)?", h):
            age_cols[c] = (m.group(1).upper(), int(m.group(2)))
    if not age_cols:
        raise raw.error("no single-year-of-age columns (0, 1, ..., 90+) found", line=raw.header_line)
    file_sex = _sex_from(raw, sex)
    sexes = {s for s, _ in age_cols.values()}
    if None in sexes and len(sexes) > 1:
        raise raw.error("mixes unprefixed and F/M-prefixed age columns", line=raw.header_line)
    for s in sexes:
        ages = sorted(a for sx, a in age_cols.values() if sx == s)
        if ages != list(range(0, 91)):
            raise raw.error(f"age columns must run 0..90 (90 = 90+); found {ages[:3]}...{ages[-3:]}",
                            line=raw.header_line)
    ints = raw.to_ints(list(age_cols), required=True, lo=0, canonical="population")
    values = {c: ints[c] for c in age_cols}

    if "total" in cols and None in sexes:
        total = raw.to_int(cols["total"], required=True, lo=0, canonical="total")
        summed = pl.sum_horizontal(list(values.values()))
        bad = raw.first_bad(pl.select(summed != total).to_series())
        if bad is not None:
            raise raw.error("all-ages total differs from the sum of the single-year columns",
                            record=bad, column=cols["total"])

    wanted = [(c, s or (file_sex or "P"), a) for c, (s, a) in age_cols.items()
              if file_sex is None or sexes == {None} or s == file_sex]
    # one block per age column, stacked: age-major, LSOAs in file order (no sort: 3 million rows)
    out = pl.concat([
        pl.DataFrame({"lsoa_code": codes, "population": ints[c]}).with_columns(
            pl.lit(a, dtype=pl.Int64).alias("age"), pl.lit(sx).alias("sex"))
        for c, sx, a in wanted])
    out = out.with_columns(pl.lit(yr, dtype=pl.Int64).alias("year"), pl.lit(vintage, dtype=pl.Int64).alias("lsoa_vintage"))
    return out.select([pl.col(c).cast(t) for c, t in LSOA_POP_SCHEMA.items()])


def read_mye_country_sex_syoa(path: Path | str, *, year: int | None = None,
                              area_code: str | None = "E92000001") -> pl.DataFrame:
    """ONS mid-year estimates for countries by sex and single year of age, long (``sex,Code,Name,Geography,
    age,count``). ``area_code=None`` keeps every country."""
    raw = load_table(path, header_hint=["sex", "Code"])
    cols = raw.resolve({"sex": ["sex"], "code": ["Code", "area_code"], "age": ["age"],
                        "count": ["count", "population"]}, required=["sex", "code", "age", "count"])
    yr = _year_from(raw, year)
    sex_text = raw.df[cols["sex"]].str.to_lowercase()
    bad = raw.first_bad(~sex_text.is_in(list(_SEX_WORDS)))
    if bad is not None:
        raise raw.error("unexpected sex label", record=bad, column=cols["sex"],
                        value=raw.df[cols["sex"]][raw._pos(bad)])
    age_text = raw.df[cols["age"]].str.replace(r"\+$", "")
    raw.df = raw.df.with_columns(age_text.alias("__age"))
    df = pl.DataFrame({
        "year": pl.Series([yr] * raw.df.height, dtype=pl.Int64),
        "area_code": raw.df[cols["code"]],
        "sex": sex_text.replace_strict(_SEX_WORDS, return_dtype=pl.String),
        "age": raw.to_int("__age", required=True, lo=0, hi=90, canonical="age"),
        "population": raw.to_int(cols["count"], required=True, lo=0, canonical="population"),
    })
    if area_code is not None:
        df = df.filter(pl.col("area_code") == area_code)
        if df.is_empty():
            raise ReaderError(raw.path, f"no rows for area code {area_code}", column=cols["code"])
    return df.filter(pl.col("sex") != "P").sort("area_code", "sex", "age")


def read_esp2013(path: Path | str) -> pl.DataFrame:
    """The 2013 European Standard Population in 19 five-year bands (0-4 ... 85-89, 90+)."""
    raw = load_table(path)
    cols = raw.resolve({"age_band": ["age_band"], "age_lower": ["age_lower"], "age_upper": ["age_upper"],
                        "esp": ["esp2013_population", "population", "esp"]},
                       required=["age_band", "age_lower", "esp"])
    df = pl.DataFrame({
        "age_band": raw.require(cols["age_band"]),
        "age_lower": raw.to_int(cols["age_lower"], required=True, lo=0),
        "age_upper": raw.to_int(cols.get("age_upper")),
        "esp2013_population": raw.to_int(cols["esp"], required=True, lo=0),
    })
    if df.height != 19 or df["esp2013_population"].sum() != 100_000:
        raise ReaderError(raw.path, f"expected 19 bands summing to 100,000; got {df.height} bands summing to "
                                    f"{df['esp2013_population'].sum()}")
    return df
