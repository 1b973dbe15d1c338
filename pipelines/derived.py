"""Derived fields, each defined once, as DuckDB macros installed on every connection.

Staging and mart SQL call these (`ina_age_band(age)`, `ina_financial_year(d)` ...) instead of
repeating CASE expressions. Each macro has a parametrised test in tests/test_derived.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from schemas.vocabulary import ACTIVITY_MEASURES, EMERGENCY_ADMISSION_METHODS, ESP2013_AGE_BANDS

__all__ = ["ACTIVITY_MEASURES", "ESP2013_AGE_BANDS", "MACROS", "install_macros"]

_EMERGENCY = ", ".join(f"'{code}'" for code in EMERGENCY_ADMISSION_METHODS)


@dataclass(frozen=True)
class Macro:
    name: str
    params: tuple[str, ...]
    body: str
    description: str

    def ddl(self) -> str:
        return f"CREATE OR REPLACE TEMP MACRO {self.name}({', '.join(self.params)}) AS {self.body}"


MACROS: tuple[Macro, ...] = (
    Macro(
        "ina_age_band",
        ("age",),
        "CASE WHEN age IS NULL OR age < 0 THEN NULL WHEN age >= 90 THEN '90+' "
        "ELSE CAST(CAST(floor(age / 5) * 5 AS INTEGER) AS VARCHAR) || '-' "
        "|| CAST(CAST(floor(age / 5) * 5 + 4 AS INTEGER) AS VARCHAR) END",
        "ESP2013 five-year age band (0-4 ... 85-89, 90+) of an age in whole years",
    ),
    Macro(
        "ina_age_band_order",
        ("band",),
        "CASE WHEN band = '90+' THEN 18 ELSE CAST(split_part(band, '-', 1) AS INTEGER) // 5 END",
        "Position 0-18 of an ESP2013 age band, for sorting",
    ),
    Macro(
        "ina_financial_year",
        ("d",),
        "CAST(year(d) - CASE WHEN month(d) < 4 THEN 1 ELSE 0 END AS INTEGER)",
        "NHS financial year (April-March) of a date, as its starting calendar year (2018 = FY2018/19)",
    ),
    Macro(
        "ina_financial_year_label",
        ("fy",),
        "CAST(fy AS VARCHAR) || '/' || lpad(CAST((fy + 1) % 100 AS VARCHAR), 2, '0')",
        "Label of a financial year: 2018 -> '2018/19'",
    ),
    Macro(
        "ina_month",
        ("d",),
        "CAST(date_trunc('month', d) AS DATE)",
        "First day of the calendar month of a date",
    ),
    Macro(
        "ina_sex",
        ("code",),
        "CASE upper(trim(CAST(code AS VARCHAR))) WHEN '1' THEN 'M' WHEN 'M' THEN 'M' WHEN 'MALE' THEN 'M' "
        "WHEN 'MALES' THEN 'M' WHEN '2' THEN 'F' WHEN 'F' THEN 'F' WHEN 'FEMALE' THEN 'F' "
        "WHEN 'FEMALES' THEN 'F' ELSE 'U' END",
        "Sex as M / F / U (not known, not stated or indeterminate) from NHS or ONS codes",
    ),
    Macro(
        "ina_imd_quintile",
        ("decile",),
        "CAST((decile + 1) // 2 AS INTEGER)",
        "National IMD quintile (1 = most deprived 20%) from the national decile (1 = most deprived 10%)",
    ),
    Macro(
        "ina_is_emergency_admission",
        ("method",),
        f"upper(trim(method)) IN ({_EMERGENCY})",
        "Admission method is emergency (NHS Data Dictionary codes 21-25, 2A-2D, 28)",
    ),
)


def install_macros(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Create every derived-field macro on this connection (temporary: nothing is stored in the file)."""
    for macro in MACROS:
        con.execute(macro.ddl())
    return con
