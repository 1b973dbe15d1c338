"""No record-level field in any mart or commissioner output: the guard behind the `no_record_level_fields` checks.

Record-level extracts (ECDS attendances, SUS spells) are aggregated as they are read (assets/sql/staging/);
only counts leave the raw layer. This module names what must never appear downstream, derived from the
record-level sources' own models (schemas.registry, `record_level=True`): their identifiers (unique keys),
their event dates and their exact ages and lengths of stay, plus the usual direct identifiers of patients.
A column of a mart, or a header of an output file, with one of these names (in any case, spaces or
underscores) is a finding.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

from schemas.introspect import column_specs, unique_keys
from schemas.registry import RAW_SOURCES

#: Direct identifiers and quasi-identifiers of a patient, whatever the source.
PATIENT_IDENTIFIERS = (
    "NHS_NUMBER", "NHS_NO", "PATIENT_ID", "PERSON_ID", "PSEUDO_ID", "LOCAL_PATIENT_ID", "DATE_OF_BIRTH", "DOB",
    "DATE_OF_DEATH", "PATIENT_POSTCODE", "POSTCODE_OF_RESIDENCE", "PATIENT_NAME",
)  # fmt: skip
EXACT_VALUE = re.compile(r"(^|_)(AGE|LENGTH_OF_STAY)(_|$)")


def normalise(name: str) -> str:
    """`Arrival date`, `arrival_date` and `ARRIVAL-DATE` are the same field."""
    return re.sub(r"[^A-Z0-9]+", "_", name.strip().upper()).strip("_")


@cache
def record_level_fields() -> frozenset[str]:
    """Normalised names of every field that exists only at record level."""
    fields = set(PATIENT_IDENTIFIERS)
    for source in RAW_SOURCES.values():
        if not source.record_level:
            continue
        fields |= {name for key in unique_keys(source.model) for name in key}
        for spec in column_specs(source.model):
            if spec.dtype == pl.Date or EXACT_VALUE.search(normalise(spec.name)):
                fields.add(spec.name)
    return frozenset(normalise(name) for name in fields)


@dataclass(frozen=True)
class Finding:
    where: str  # table, or file (and sheet)
    column: str

    def __str__(self) -> str:
        return f"{self.where}: {self.column!r} is a record-level field"


def scan_columns(where: str, columns: list[str]) -> list[Finding]:
    forbidden = record_level_fields()
    return [Finding(where, column) for column in columns if normalise(column) in forbidden]


def scan_database(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...] = ("marts",),
                  tables: tuple[str, ...] | None = None) -> list[Finding]:
    """Columns of the tables of `schemas` (or only `tables`, as `schema.table`) named like a record-level field."""
    rows = con.execute(
        "SELECT table_schema || '.' || table_name, column_name FROM information_schema.columns "
        "WHERE table_schema IN (SELECT unnest($schemas)) ORDER BY 1, ordinal_position",
        {"schemas": list(schemas)},
    ).fetchall()
    findings = []
    for table, column in rows:
        if tables is None or table in tables:
            findings += scan_columns(table, [column])
    return findings


def scan_output_files(directory: Path) -> list[Finding]:
    """Headers of every CSV file and every text cell of every workbook under `directory`."""
    findings: list[Finding] = []
    directory = Path(directory)
    for path in sorted(directory.rglob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
        findings += scan_columns(str(path.relative_to(directory)), header)
    for path in sorted(directory.rglob("*.xlsx")):
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True)
        try:
            for sheet in workbook.worksheets:
                cells = [v for row in sheet.iter_rows(values_only=True) for v in row if isinstance(v, str)]
                findings += scan_columns(f"{path.relative_to(directory)} [{sheet.title}]", cells)
        finally:
            workbook.close()
    return findings
