"""What every asset module shares: metadata for the UI and the profile's SQL parameters."""

from __future__ import annotations

import dagster as dg
import duckdb
import polars as pl

from pipelines.config import Profile


def profile_params(profile: Profile) -> dict[str, object]:
    """Every parameter a staging or mart SQL file may bind (`run_sql` binds only those a file names)."""
    return {
        "icb_code": profile.icb_code,
        "england_code": profile.england_code,
        "lsoa_vintage": profile.lsoa_vintage,
        "imd_edition": profile.imd_edition,
        "first_year": profile.first_financial_year,
        "last_year": profile.last_financial_year,
        "first_month": profile.first_month,
        "last_month": profile.last_month,
        "providers": list(profile.providers),
        "geography_version": profile.geography_version,
    }


def markdown_preview(frame: pl.DataFrame, rows: int = 5) -> str:
    head = frame.head(rows)
    lines = ["| " + " | ".join(head.columns) + " |", "|" + "---|" * len(head.columns)]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in head.iter_rows()]
    return "\n".join(lines)


def table_metadata(con: duckdb.DuckDBPyConnection, qualified_table: str) -> dict[str, object]:
    """Row count and a five-row preview of a DuckDB table, for the Dagster UI."""
    schema, table = qualified_table.split(".")
    rows = con.execute(f'SELECT count(*) FROM "{schema}"."{table}"').fetchone()[0]
    preview = con.execute(f'SELECT * FROM "{schema}"."{table}" LIMIT 5').pl()
    return {
        "dagster/row_count": dg.MetadataValue.int(int(rows)),
        "dagster/table_name": qualified_table,
        "preview": dg.MetadataValue.md(markdown_preview(preview)),
    }


def described_table_schema(con: duckdb.DuckDBPyConnection, qualified_table: str) -> dg.TableSchema:
    """The column schema of a table as DuckDB reports it (for tables without a pandera model)."""
    schema, table = qualified_table.split(".")
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = $s AND table_name = $t ORDER BY ordinal_position",
        {"s": schema, "t": table},
    ).fetchall()
    return dg.TableSchema(columns=[dg.TableColumn(name, dtype) for name, dtype in rows])
