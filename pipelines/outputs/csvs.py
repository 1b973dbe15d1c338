"""The commissioner CSV files: tidy (one header row, one row per record, snake_case columns), every period.

Suppressed cells are empty; `suppressed` is true on any row with a hidden cell, `suppression_reason` says why
and `suppressed_columns` names the hidden cells (semicolon-separated), so an empty cell is never ambiguous.
Every text column goes through `safe_text.neutralise_text_columns`: a value beginning with = + - @, a tab or a
carriage return is written with a single quote in front, so a spreadsheet opening the file never runs it.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.disclosure import HIDDEN
from pipelines.outputs.safe_text import neutralise_text_columns
from pipelines.outputs.tables import CommissionerTables

CSV_DIR = "csv"

INDICATOR_FIELDS = (
    "indicator_id", "indicator_name", "level", "area_code", "area_name", "period", "period_type", "numerator",
    "numerator_counts", "denominator", "denominator_counts", "value", "lower_ci_95", "upper_ci_95", "lower_ci_99_8", "upper_ci_99_8", "unit", "method",
    "england_value", "comparison_95", "comparison_99_8", "trend", "rate_ratio", "rate_gap", "gap_unit",
    "expected", "excess", "suppressed", "suppression_reason", HIDDEN,
)


def _tidy(frame: pl.DataFrame, fields: tuple[str, ...] | None = None) -> pl.DataFrame:
    if fields:
        frame = frame.select([f for f in fields if f in frame.columns])
    if HIDDEN in frame.columns:
        frame = frame.with_columns(pl.col(HIDDEN).list.join(";"))
    return frame


def csv_frames(tables: CommissionerTables) -> dict[str, pl.DataFrame]:
    """File name -> tidy frame, for every CSV the commissioners get (text neutralised: safe_text)."""
    files = {
        f"indicators_{level}.csv": _tidy(tables.indicators.filter(pl.col("level") == level), INDICATOR_FIELDS)
        for level in ("system", "footprint", "neighbourhood", "local_authority")
    }
    files["deprivation_gradients.csv"] = _tidy(tables.gradients)
    files["inequality_summary.csv"] = _tidy(tables.inequality)
    files["right_drift.csv"] = _tidy(tables.right_drift)
    files["definitions.csv"] = _tidy(tables.definitions)
    files["not_available.csv"] = tables.unavailable if tables.unavailable is not None else pl.DataFrame()
    warning = tables.synthetic_warning
    if warning:  # the first column of every file, so its first line says so
        files = {name: frame.select(pl.lit(warning).alias("data_warning"), pl.all()) for name, frame in files.items()}
    return {name: neutralise_text_columns(frame) for name, frame in files.items()}


def write_commissioner_csvs(tables: CommissionerTables, directory: Path) -> list[Path]:
    out = Path(directory) / CSV_DIR
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in csv_frames(tables).items():
        path = out / name
        tmp = path.with_suffix(".tmp")
        frame.write_csv(tmp)
        tmp.replace(path)
        written.append(path)
    return written
