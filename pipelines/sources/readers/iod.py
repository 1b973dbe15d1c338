"""English Indices of Deprivation (MHCLG): IoD2019 Files 1/2/5/6/7 and IoD2025 File 7, as published
(CSV or XLSX), and the tidy re-issues of IoD2015/2019/2025 in the humaniverse/IMD layout.

Canonical shape (one row per LSOA; ranks 1 = most deprived, deciles national, 1 = most deprived 10%):

``imd_edition, lsoa_code, lsoa_name, lsoa_vintage, lad_code, lad_name, imd_score, imd_rank, imd_decile,
<domain>_score, <domain>_rank, <domain>_decile`` for the domains ``income, employment, education, health,
crime, housing`` (Barriers to Housing and Services), ``environment`` (Living Environment), ``idaci``,
``idaopi``; then ``population`` (File 6/7 total, mid-2015 excluding prisoners for IoD2019),
``population_0_15, population_16_59, population_60_plus, population_working_age``.

Every column is always present; a column the file does not carry is null (File 1 has no scores; the
IoD2019 score files, Files 5 and 7, are not in our mirror). ``lsoa_vintage`` is 2011 for IoD2015/2019
and 2021 for IoD2025.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from ._io import LSOA_CODE_RE, RawTable, ReaderError, infer_lsoa_vintage, load_table, norm_header, null_frame_cols

DOMAINS = ("imd", "income", "employment", "education", "health", "crime", "housing", "environment",
           "idaci", "idaopi")
POPULATION_COLUMNS = ("population", "population_0_15", "population_16_59", "population_60_plus",
                      "population_working_age")

IOD_SCHEMA: dict[str, pl.DataType] = {
    "imd_edition": pl.Int64,
    "lsoa_code": pl.String,
    "lsoa_name": pl.String,
    "lsoa_vintage": pl.Int64,
    "lad_code": pl.String,
    "lad_name": pl.String,
}
for _d in DOMAINS:
    IOD_SCHEMA[f"{_d}_score"] = pl.Float64
    IOD_SCHEMA[f"{_d}_rank"] = pl.Int64
    IOD_SCHEMA[f"{_d}_decile"] = pl.Int64
for _p in POPULATION_COLUMNS:
    IOD_SCHEMA[_p] = pl.Int64
# LSOAs in England per edition: the largest legal rank.
LSOAS_IN_ENGLAND = {2015: 32844, 2019: 32844, 2025: 33755}

_OFFICIAL_DOMAINS = {
    "index of multiple deprivation (imd)": "imd",
    "income": "income",
    "employment": "employment",
    "education, skills and training": "education",
    "health deprivation and disability": "health",
    "crime": "crime",
    "barriers to housing and services": "housing",
    "living environment": "environment",
    "income deprivation affecting children index (idaci)": "idaci",
    "income deprivation affecting older people (idaopi)": "idaopi",
    "income deprivation affecting older people index (idaopi)": "idaopi",
}
_OFFICIAL_POPULATION = {
    "total population": "population",
    "dependent children aged 0-15": "population_0_15",
    "population aged 16-59": "population_16_59",
    "older population aged 60 and over": "population_60_plus",
    "working age population 18-59/64": "population_working_age",
}
_TIDY_DOMAINS = {
    "imd": "imd", "income": "income", "employment": "employment", "education": "education",
    "health": "health", "crime": "crime", "housing_and_access": "housing", "housing_and_services": "housing",
    "environment": "environment", "idaci": "idaci", "idaopi": "idaopi",
}
_HINTS = ["LSOA code (2011)", "LSOA code (2021)"]


def _official_map(raw: RawTable) -> tuple[dict[str, str], int | None, int | None]:
    """canonical -> header for the MHCLG layout; also the LSOA vintage and LAD year in the headers."""
    found: dict[str, str] = {}
    vintage = lad_year = None
    for col in raw.columns:
        h = norm_header(col)
        h = re.sub(r"\s*\(where [^)]*\)", "", h)
        h = re.sub(r"\s*\(rate\)", "", h).strip()
        if m := re.fullmatch(r"lsoa code \((\d{4})\)", h):
            found["lsoa_code"], vintage = col, int(m.group(1))
        elif re.fullmatch(r"lsoa name \(\d{4}\)", h):
            found["lsoa_name"] = col
        elif m := re.fullmatch(r"local authority district code \((\d{4})\)", h):
            found["lad_code"], lad_year = col, int(m.group(1))
        elif re.fullmatch(r"local authority district name \(\d{4}\)", h):
            found["lad_name"] = col
        elif m := re.fullmatch(r"(.+) (score|rank|decile)", h):
            dom = _OFFICIAL_DOMAINS.get(m.group(1))
            if dom:
                found[f"{dom}_{m.group(2)}"] = col
        else:
            for prefix, canon in _OFFICIAL_POPULATION.items():
                if h.startswith(prefix):
                    found[canon] = col
    return found, vintage, lad_year


def _tidy_map(raw: RawTable) -> tuple[dict[str, str], int | None, str | None]:
    """canonical -> header for the humaniverse/IMD layout (lsoa11_code, IMD_rank, Income_score ...)."""
    found: dict[str, str] = {}
    vintage = None
    lad_prefix = None
    for col in raw.columns:
        h = col.strip().lower()
        if m := re.fullmatch(r"lsoa(11|21)_code", h):
            found["lsoa_code"], vintage = col, 2000 + int(m.group(1))
        elif re.fullmatch(r"lsoa(11|21)_name", h):
            found["lsoa_name"] = col
        elif m := re.fullmatch(r"(lad|ltla)(\d{2})_code", h):
            found["lad_code"], lad_prefix = col, h
        elif re.fullmatch(r"(lad|ltla)(\d{2})_name", h):
            found["lad_name"] = col
        elif m := re.fullmatch(r"(.+)_(score|rank|decile)", h):
            dom = _TIDY_DOMAINS.get(m.group(1))
            if dom:
                found[f"{dom}_{m.group(2)}"] = col
    return found, vintage, lad_prefix


def _edition(raw: RawTable, declared: int | None, *, official: bool, vintage: int | None,
             lad_year: int | None, lad_prefix: str | None) -> int:
    if declared is not None:
        return declared
    if vintage == 2021:
        return 2025
    if official and lad_year == 2019:
        return 2019
    if lad_prefix and lad_prefix.endswith("13"):
        return 2015  # the IoD2015 files carry 2013 local authority districts
    if not official and raw.has("Housing_and_Access_rank"):
        return 2019
    m = re.search(r"(?:imd|iod)[_ -]?(2015|2019|2025)", raw.path.name, flags=re.I)
    if m:
        return int(m.group(1))
    raise raw.error("cannot tell the IoD edition from the headers or the file name; pass edition=",
                    line=raw.header_line)


def read_iod(path: Path | str, *, edition: int | None = None, sheet: str | None = None) -> pl.DataFrame:
    """Read an IoD LSOA file (any of Files 1, 2, 5, 6, 7, or a tidy re-issue) into the canonical shape.

    ``edition`` (2015, 2019 or 2025) is inferred from the headers (LSOA 2021 -> 2025, LAD 2019 -> 2019,
    LAD 2013 -> 2015) or the file name when not given.
    """
    raw = load_table(path, sheet=sheet, header_hint=_HINTS)
    found, vintage, lad_year = _official_map(raw)
    official = "lsoa_code" in found
    lad_prefix = None
    if not official:
        found, vintage, lad_prefix = _tidy_map(raw)
    if "lsoa_code" not in found:
        raise raw.error("no LSOA code column (expected 'LSOA code (2011)', 'LSOA code (2021)', "
                        f"'lsoa11_code' or 'lsoa21_code'); the file has {raw.columns}",
                        column="LSOA code (2011)", line=raw.header_line)
    measures = [c for c in found if c.endswith(("_score", "_rank", "_decile")) or c in POPULATION_COLUMNS]
    if not measures:
        raise raw.error("no IMD score, rank, decile or population column recognised", line=raw.header_line)
    ed = _edition(raw, edition, official=official, vintage=vintage, lad_year=lad_year, lad_prefix=lad_prefix)
    if ed not in LSOAS_IN_ENGLAND:
        raise ReaderError(raw.path, f"unknown IoD edition {ed}; expected one of {sorted(LSOAS_IN_ENGLAND)}")
    n_lsoas = LSOAS_IN_ENGLAND[ed]

    codes = raw.check_pattern(found["lsoa_code"], LSOA_CODE_RE, what="LSOA code")
    lsoa_vintage = infer_lsoa_vintage(codes, vintage or (2021 if ed == 2025 else 2011), raw, found["lsoa_code"])
    dup = raw.first_bad(codes.is_duplicated())
    if dup is not None:
        raise raw.error("LSOA code appears more than once", record=dup, column=found["lsoa_code"])

    cols: dict[str, pl.Series] = {
        "imd_edition": pl.Series([ed] * raw.df.height, dtype=pl.Int64),
        "lsoa_code": codes,
        "lsoa_name": raw.text_col(found.get("lsoa_name")),
        "lsoa_vintage": pl.Series([lsoa_vintage] * raw.df.height, dtype=pl.Int64),
        "lad_code": raw.text_col(found.get("lad_code")),
        "lad_name": raw.text_col(found.get("lad_name")),
    }
    for canon, header in found.items():
        if canon.endswith("_score"):
            cols[canon] = raw.to_float(header, canonical=canon)
        elif canon.endswith("_rank"):
            cols[canon] = raw.to_int(header, canonical=canon, lo=1, hi=n_lsoas)
        elif canon.endswith("_decile"):
            cols[canon] = raw.to_int(header, canonical=canon, lo=1, hi=10)
        elif canon in POPULATION_COLUMNS:
            cols[canon] = raw.to_int(header, canonical=canon, lo=0)
    df = pl.DataFrame({k: v.alias(k) for k, v in cols.items()})
    return null_frame_cols(df, IOD_SCHEMA)


def merge_iod(*frames: pl.DataFrame) -> pl.DataFrame:
    """Combine canonical IoD frames of one edition (e.g. Files 1, 2 and 6) into one row per LSOA.

    A column null in one file is taken from another; two files disagreeing on a value is an error.
    """
    if not frames:
        raise ValueError("merge_iod needs at least one frame")
    editions = {e for f in frames for e in f["imd_edition"].unique().to_list()}
    if len(editions) != 1:
        raise ValueError(f"merge_iod: frames mix IoD editions {sorted(editions)}")
    allf = pl.concat([f.select(list(IOD_SCHEMA)) for f in frames], how="vertical")
    keys = ["imd_edition", "lsoa_code", "lsoa_vintage"]
    value_cols = [c for c in IOD_SCHEMA if c not in keys]
    conflicts = allf.group_by("lsoa_code").agg(
        [pl.col(c).drop_nulls().n_unique().alias(c) for c in value_cols if c not in ("lsoa_name", "lad_name")])
    for c in conflicts.columns[1:]:
        bad = conflicts.filter(pl.col(c) > 1)
        if bad.height:
            raise ValueError(f"merge_iod: files disagree on {c} for LSOA {bad['lsoa_code'][0]}")
    merged = allf.group_by(keys, maintain_order=True).agg([pl.col(c).drop_nulls().first() for c in value_cols])
    return merged.select(list(IOD_SCHEMA))
