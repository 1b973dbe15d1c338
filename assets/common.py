"""What every asset module shares: metadata for the UI and the profile's SQL parameters."""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg
import duckdb
import pandera.errors as pa_errors
import polars as pl

from pipelines.config import Profile
from pipelines.sql import check_query
from schemas.screen import screen_table


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
        "providers": list(profile.providers) or [""],
        "icb_nhs_code": profile.icb_nhs_code,
        "icb_name": profile.icb_name,
        "base_year": profile.base_financial_year,
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


# --- Mart checks: one schema check from the pandera model, plus SQL checks, shared by every mart family -------

SCHEMA_CHECK = "conforms_to_model"


@dataclass(frozen=True)
class MartCheck:
    """A SQL check of a mart: `assets/sql/<folder>/<table>__<name>.sql` returns one row (passed, detail)."""

    name: str
    description: str
    blocking: bool = True
    # Methods of activity-based indicators the check is about: with none of them allowed by the profile's data,
    # the check passes as "not computed" (indicator marts only; see assets/indicators.py).
    serves: tuple[str, ...] = ()


def mart_check_specs(key: dg.AssetKey, model: type, checks: tuple[MartCheck, ...]) -> list[dg.AssetCheckSpec]:
    schema = dg.AssetCheckSpec(SCHEMA_CHECK, asset=key, blocking=True,
                               description=f"Rows conform to {model.__module__}.{model.__name__}")
    return [schema] + [dg.AssetCheckSpec(c.name, asset=key, blocking=c.blocking, description=c.description)
                       for c in checks]


def mart_check_results(
    con: duckdb.DuckDBPyConnection, table: str, model: type, checks: tuple[MartCheck, ...], folder: str,
    params: dict,
) -> list[dg.AssetCheckResult]:
    """Validate the mart against its pandera model (all failures, lazily), then run each SQL check. The mart is
    screened in batches (`screen_table`); only a mart that may fail is read whole, for pandera to say what."""
    schema = model.to_schema()
    rows = screen_table(con, f'marts."{table}"', schema)  # table: a mart name from code
    try:
        if rows is None:
            frame = con.execute(f'SELECT * FROM marts."{table}"').pl()
            schema.validate(frame, lazy=True)
            rows = frame.height
        results = [dg.AssetCheckResult(check_name=SCHEMA_CHECK, passed=True, metadata={"rows": rows})]
    except pa_errors.SchemaErrors as exc:
        results = [dg.AssetCheckResult(check_name=SCHEMA_CHECK, passed=False,
                                       metadata={"failures": dg.MetadataValue.md(str(exc.failure_cases.head(20)))})]
    for check in checks:
        passed, detail = check_query(con, f"{folder}/{table}__{check.name}", params)
        results.append(dg.AssetCheckResult(
            check_name=check.name,
            passed=passed,
            severity=dg.AssetCheckSeverity.ERROR if check.blocking else dg.AssetCheckSeverity.WARN,
            metadata={"detail": detail},
        ))
    return results
