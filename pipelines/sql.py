"""Run the `.sql` files that live beside the assets, with bound parameters (never string formatting)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

SQL_DIR = Path(__file__).resolve().parents[1] / "assets" / "sql"


@cache
def sql_text(name: str) -> str:
    """The text of `assets/sql/<name>.sql`, e.g. `sql_text("staging/stg_uec__activity")`."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def _bound(text: str, params: dict[str, Any] | None) -> dict[str, Any] | None:
    """Only the parameters the SQL text names (DuckDB rejects unused named parameters)."""
    bound = {key: value for key, value in (params or {}).items() if re.search(rf"\${key}\b", text)}
    return bound or None


def run_sql(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> None:
    """Execute one SQL file; only the parameters the file mentions are bound."""
    text = sql_text(name)
    con.execute(text, _bound(text, params))


def table_row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    schema, name = table.split(".")
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = $s AND table_name = $t",
        {"s": schema, "t": name},
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute(f'SELECT count(*) FROM "{schema}"."{name}"').fetchone()[0]  # identifiers, not values


def insert_select(con: duckdb.DuckDBPyConnection, table: str, name: str, params: dict[str, Any] | None = None) -> None:
    """Insert the rows of the SELECT in `assets/sql/<name>.sql` into an existing table, matching columns by name."""
    text = sql_text(name)
    bound = _bound(text, params)
    con.execute(f"INSERT INTO {table} BY NAME\n{text}", bound)  # table: an identifier from code


def check_query(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> tuple[bool, str]:
    """Run a check file that returns one row: (passed, description of what was found)."""
    text = sql_text(name)
    bound = _bound(text, params)
    passed, detail = con.execute(text, bound).fetchone()
    return bool(passed), str(detail)
