"""GP practice organisation data (NHS England / NHS Digital, ODS): practice -> PCN -> sub-ICB -> ICB.

Three publications, one canonical shape (one row per practice, or per practice-PCN relationship for ePCN):

``practice_code, practice_name, practice_postcode, pcn_code, pcn_name, sub_icb_nhs_code, sub_icb_code,
sub_icb_name, icb_nhs_code, icb_code, icb_name, region_nhs_code, region_code, region_name, extract_date,
source``

* ``gp-reg-pat-prac-map.csv`` (Patients Registered at a GP Practice, mapping file). Before July 2022 the
  file names the sub-ICB location ``CCG_*`` and the ICB ``STP_*``; later editions use ``SUB_ICB_LOCATION_*``
  and ``ICB_*``. Both read into the same columns.
* ``ePCN.xlsx`` sheet "PCN Core Partner Details" (or its CSV export): adds ``pcn_sub_icb_nhs_code``,
  ``relationship_start``, ``relationship_end``; no ICB columns (nulls).
* ``epraccur.csv`` (headerless ODS layout, 27 fields): the commissioner (field 15) is the sub-ICB location /
  CCG; adds ``open_date, close_date, status_code, organisation_sub_type, prescribing_setting,
  is_gp_practice`` (prescribing setting 4 = GP practice; epraccur also lists out-of-hours, walk-in and other
  prescribing settings).

``read_etr`` reads the headerless ODS NHS trust file (etr.csv) into ``org_code, org_name, national_grouping,
high_level_health_geography, address_line_1..5, postcode, open_date, close_date, amended_record_indicator,
field_24``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import polars as pl

from ._io import ROW, RawTable, load_table, null_frame_cols, parse_month_text

log = logging.getLogger(__name__)

PRACTICE_SCHEMA: dict[str, pl.DataType] = {
    "practice_code": pl.String,
    "practice_name": pl.String,
    "practice_postcode": pl.String,
    "pcn_code": pl.String,
    "pcn_name": pl.String,
    "sub_icb_nhs_code": pl.String,
    "sub_icb_code": pl.String,
    "sub_icb_name": pl.String,
    "icb_nhs_code": pl.String,
    "icb_code": pl.String,
    "icb_name": pl.String,
    "region_nhs_code": pl.String,
    "region_code": pl.String,
    "region_name": pl.String,
    "extract_date": pl.Date,
    "source": pl.String,
}

PRACTICE_CODE_RE = r"^[A-Z]\d{5}$"

# ODS standard 27-field layout (epraccur, etr): names from the ODS data file specification.
ODS_FIELDS = [
    "org_code", "org_name", "national_grouping", "high_level_health_geography",
    "address_line_1", "address_line_2", "address_line_3", "address_line_4", "address_line_5", "postcode",
    "open_date", "close_date", "status_code", "organisation_sub_type", "commissioner",
    "join_provider_date", "left_provider_date", "contact_telephone", "null_19", "null_20", "null_21",
    "amended_record_indicator", "null_23", "field_24", "null_25", "prescribing_setting", "null_27",
]

MAP_ALIASES = {
    "practice_code": ["PRACTICE_CODE"],
    "practice_name": ["PRACTICE_NAME"],
    "practice_postcode": ["PRACTICE_POSTCODE", "POSTCODE"],
    "pcn_code": ["PCN_CODE"],
    "pcn_name": ["PCN_NAME"],
    "sub_icb_nhs_code": ["SUB_ICB_LOCATION_CODE", "SUB_ICB_CODE", "CCG_CODE"],
    "sub_icb_code": ["ONS_SUB_ICB_LOCATION_CODE", "ONS_SUB_ICB_CODE", "ONS_CCG_CODE"],
    "sub_icb_name": ["SUB_ICB_LOCATION_NAME", "SUB_ICB_NAME", "CCG_NAME"],
    "icb_nhs_code": ["ICB_CODE", "STP_CODE"],
    "icb_code": ["ONS_ICB_CODE", "ONS_STP_CODE"],
    "icb_name": ["ICB_NAME", "STP_NAME"],
    "region_nhs_code": ["COMM_REGION_CODE", "NHSE_REGION_CODE"],
    "region_code": ["ONS_COMM_REGION_CODE", "ONS_NHSE_REGION_CODE"],
    "region_name": ["COMM_REGION_NAME", "NHSE_REGION_NAME"],
    "extract_date": ["EXTRACT_DATE"],
}


def _frame(raw: RawTable, cols: dict[str, str], source: str) -> pl.DataFrame:
    data = {c: raw.text_col(cols.get(c)) for c in PRACTICE_SCHEMA if c not in ("extract_date", "source")}
    df = pl.DataFrame(data)
    if "extract_date" in cols:
        df = df.with_columns(raw.to_month(cols["extract_date"], canonical="extract_date").alias("extract_date"))
    return df.with_columns(pl.lit(source).alias("source"))


def _unique_practices(raw: RawTable, col: str) -> None:
    codes = raw.check_pattern(col, PRACTICE_CODE_RE, what="GP practice code")
    dup = raw.first_bad(codes.is_duplicated())
    if dup is not None:
        raise raw.error("practice code appears more than once", record=dup, column=col)


def read_gp_practice_map(path: Path | str) -> pl.DataFrame:
    """NHS Digital ``gp-reg-pat-prac-map.csv``: one row per practice with its PCN, sub-ICB location and ICB.

    ``extract_date`` is the extract's date ("01-Sep-20", "01Jan2022" -> first of that month).
    """
    raw = load_table(path, header_hint="PRACTICE_CODE")
    cols = raw.resolve(MAP_ALIASES, required=["practice_code", "sub_icb_nhs_code", "icb_nhs_code"])
    _unique_practices(raw, cols["practice_code"])
    df = _frame(raw, cols, "gp-reg-pat-prac-map")
    return null_frame_cols(df, PRACTICE_SCHEMA)


EPCN_ALIASES = {
    "practice_code": ["Partner Organisation Code"],
    "practice_name": ["Partner Name"],
    "sub_icb_nhs_code": ["Practice Parent Sub ICB Loc Code", "Practice Parent CCG Code"],
    "sub_icb_name": ["Practice Parent Sub ICB Loc Name", "Practice Parent CCG Name"],
    "pcn_code": ["PCN Code"],
    "pcn_name": ["PCN Name"],
    "pcn_sub_icb_nhs_code": ["PCN Parent Sub ICB Loc Code", "PCN Parent CCG Code"],
    "relationship_start": ["Practice to PCN Relationship Start Date"],
    "relationship_end": ["Practice to PCN Relationship End Date"],
}


def read_epcn_practices(path: Path | str, *, extract_date: str | None = None) -> pl.DataFrame:
    """ODS ePCN "PCN Core Partner Details": practice -> PCN memberships with start and end dates.

    Pass ``extract_date`` ("2019-12") to record the edition; the sheet itself carries no date.
    """
    raw = load_table(path, sheet=None, header_hint="Partner Organisation Code")
    cols = raw.resolve(EPCN_ALIASES, required=["practice_code", "pcn_code", "relationship_start"])
    raw.check_pattern(cols["practice_code"], PRACTICE_CODE_RE, what="GP practice code")
    df = _frame(raw, cols, "epcn").with_columns(
        raw.text_col(cols.get("pcn_sub_icb_nhs_code")).alias("pcn_sub_icb_nhs_code"),
        raw.to_date(cols["relationship_start"], canonical="relationship_start").alias("relationship_start"),
        raw.to_date(cols.get("relationship_end"), canonical="relationship_end").alias("relationship_end"),
    )
    if extract_date is not None:
        df = df.with_columns(parse_month_text(pl.Series([extract_date] * df.height)).alias("extract_date"))
    return null_frame_cols(df, PRACTICE_SCHEMA)


def read_epraccur(path: Path | str, *, extract_date: str | None = None) -> pl.DataFrame:
    """ODS ``epraccur.csv`` (headerless, 27 fields; plain, .gz or the publisher's .zip)."""
    raw = load_table(path, header=False, names=ODS_FIELDS, member="epraccur.csv")
    raw.check_pattern("org_code", r"^[A-Z0-9]{3,6}$", what="ODS organisation code")
    dup = raw.first_bad(raw.df["org_code"].is_duplicated())
    if dup is not None:
        raise raw.error("organisation code appears more than once", record=dup, column="org_code")
    setting = raw.to_int("prescribing_setting", canonical="prescribing_setting")
    df = pl.DataFrame({
        "practice_code": raw.df["org_code"],
        "practice_name": raw.df["org_name"],
        "practice_postcode": raw.df["postcode"],
        "sub_icb_nhs_code": raw.df["commissioner"],
        "source": pl.Series(["epraccur"] * raw.df.height, dtype=pl.String),
        "open_date": raw.to_date("open_date"),
        "close_date": raw.to_date("close_date"),
        "status_code": raw.check_in("status_code", ["A", "C", "D", "P"], what="status code"),
        "organisation_sub_type": raw.df["organisation_sub_type"],
        "prescribing_setting": setting,
        "is_gp_practice": (setting == 4).fill_null(False),
    })
    if extract_date is not None:
        df = df.with_columns(parse_month_text(pl.Series([extract_date] * df.height)).alias("extract_date"))
    return null_frame_cols(df, PRACTICE_SCHEMA)


ETR_COLUMNS = ["org_code", "org_name", "national_grouping", "high_level_health_geography", "address_line_1",
               "address_line_2", "address_line_3", "address_line_4", "address_line_5", "postcode"]


def read_etr(path: Path | str) -> pl.DataFrame:
    """ODS ``etr.csv`` (NHS trusts; headerless, 27 fields)."""
    raw = load_table(path, header=False, names=ODS_FIELDS, member="etr.csv")
    raw.check_pattern("org_code", r"^[A-Z0-9]{3,5}$", what="NHS trust code")
    dup = raw.first_bad(raw.df["org_code"].is_duplicated())
    if dup is not None:
        raise raw.error("trust code appears more than once", record=dup, column="org_code")
    df = raw.df.select(ETR_COLUMNS).with_columns(
        raw.to_date("open_date").alias("open_date"),
        raw.to_date("close_date").alias("close_date"),
        raw.df["amended_record_indicator"].alias("amended_record_indicator"),
        raw.df["field_24"].alias("field_24"),
    )
    return df


def read_ccg_icb_codes(path: Path | str) -> pl.DataFrame:
    """CCG / sub-ICB ODS code -> ICB ODS code and name (``sub_icb_nhs_code, icb_nhs_code, icb_name``)."""
    raw = load_table(path)
    cols = raw.resolve({"sub_icb_nhs_code": ["CCG Code", "Sub ICB Code", "SICBL Code"],
                        "icb_nhs_code": ["ICB Code"], "icb_name": ["ICB NAME", "ICB Name"]},
                       required=["sub_icb_nhs_code", "icb_nhs_code"])
    # The compiled file mixes 3-character CCG codes, 5-character commissioning-hub codes and one free-text
    # note ("n/a not SBS client at present"): rows without an ODS code are dropped, and logged.
    code = raw.df[cols["sub_icb_nhs_code"]]
    is_code = code.str.contains(r"^[0-9A-Z]{3}([0-9A-Z]{2})?$").fill_null(False)
    if not bool(is_code.all()):
        for rec in raw.df[ROW].filter(~is_code).to_list():
            log.warning("%s line %d: not an ODS code in %r, row skipped: %r", raw.path, raw.line_of(rec),
                        cols["sub_icb_nhs_code"], raw.df[cols["sub_icb_nhs_code"]][raw._pos(rec)])
        raw.df = raw.df.filter(is_code)
    raw.check_pattern(cols["icb_nhs_code"], r"^Q[0-9A-Z]{2}$", what="ICB ODS code")
    return pl.DataFrame({c: raw.text_col(cols.get(c)).alias(c) for c in ("sub_icb_nhs_code", "icb_nhs_code",
                                                                        "icb_name")})
