"""Run the `.sql` files that live beside the assets, with bound parameters (never string formatting)."""

from __future__ import annotations

import re
from functools import cache
from graphlib import TopologicalSorter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:
    import polars as pl

SQL_DIR = Path(__file__).resolve().parents[1] / "assets" / "sql"


@cache
def sql_text(name: str) -> str:
    """The text of `assets/sql/<name>.sql`, e.g. `sql_text("staging/stg_uec__activity")`."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def bound_params(text: str, params: dict[str, Any] | None) -> dict[str, Any] | None:
    """Only the parameters the SQL text names (DuckDB rejects unused named parameters)."""
    bound = {key: value for key, value in (params or {}).items() if re.search(rf"\${key}\b", text)}
    return bound or None


def run_sql(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> None:
    """Execute one SQL file; only the parameters the file mentions are bound."""
    text = sql_text(name)
    con.execute(text, bound_params(text, params))


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether "schema.table" exists in the connection's own database (not in an attached one)."""
    schema, name = table.split(".")
    return con.execute("SELECT count(*) > 0 FROM duckdb_tables() WHERE database_name = current_database() "
                       "AND schema_name = $s AND table_name = $t", {"s": schema, "t": name}).fetchone()[0]


def attach_read_only(con: duckdb.DuckDBPyConnection, path: Path, alias: str) -> None:
    """ATTACH a DuckDB file read-only under `alias` (ATTACH takes no bound parameter: the path is quoted)."""
    quoted = str(path).replace("'", "''")
    con.execute(f"ATTACH '{quoted}' AS {alias} (READ_ONLY)")  # alias: an identifier from code


def insert_select(con: duckdb.DuckDBPyConnection, table: str, name: str, params: dict[str, Any] | None = None) -> None:
    """Insert the rows of the SELECT in `assets/sql/<name>.sql` into an existing table, matching columns by name."""
    text = sql_text(name)
    bound = bound_params(text, params)
    con.execute(f"INSERT INTO {table} BY NAME\n{text}", bound)  # table: an identifier from code


def check_query(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> tuple[bool, str]:
    """Run a check file that returns one row: (passed, description of what was found)."""
    text = sql_text(name)
    bound = bound_params(text, params)
    passed, detail = con.execute(text, bound).fetchone()
    return bool(passed), str(detail)


def replace_partitions(con: duckdb.DuckDBPyConnection, table: str, name: str, params: dict[str, Any],
                       column: str, values: list[Any], ddl: str | None = None) -> dict[str, int]:
    """Replace the rows of `table` whose `column` is in `values` by the rows of the SELECT in
    `assets/sql/<name>.sql`; every other row stays as it was. The table is created on first use. Run it inside
    the caller's transaction, so a failure leaves the table as it was. `ddl` creates the table (its contract's
    DDL) when it does not exist; the SELECT's columns are then matched by name.

    Returns the rows deleted and inserted. Raises ValueError if the SELECT returns a row outside `values`
    (it would otherwise survive the next replacement of its own partition as a duplicate).
    """
    text = sql_text(name)
    con.execute(f"CREATE OR REPLACE TEMP TABLE partition_rows AS\n{text}", bound_params(text, params))
    outside = con.execute(f'SELECT DISTINCT "{column}" FROM partition_rows '  # identifiers from code
                          f'WHERE "{column}" NOT IN (SELECT unnest($values)) ORDER BY 1 LIMIT 5',
                          {"values": values}).fetchall()
    if outside:
        raise ValueError(f"{name}.sql returned {column} values {[v for (v,) in outside]} outside the partitions "
                         f"being replaced ({values[0]} to {values[-1]})")
    schema, bare = table.split(".")
    existing = con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $s "
                           "AND table_name = $t ORDER BY ordinal_position", {"s": schema, "t": bare}).fetchall()
    if not existing and ddl is not None:
        con.execute(ddl)
        existing = con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $s "
                               "AND table_name = $t ORDER BY ordinal_position", {"s": schema, "t": bare}).fetchall()
    wanted = con.execute("SELECT column_name, data_type FROM information_schema.columns "
                         "WHERE table_name = 'partition_rows' AND table_catalog = 'temp' ORDER BY ordinal_position"
                         ).fetchall()
    if ddl is not None:
        same = sorted(c for c, _ in existing) == sorted(c for c, _ in wanted)
    else:
        same = existing == wanted
    if existing and not same:
        # built by an older version of the SQL: its other partitions cannot be kept in the new shape
        raise ValueError(f"{table} has columns {existing}, the SQL now gives {wanted}: the working database was "
                         "built by an older version. Delete data/marts/.build/ina.duckdb and run `ina materialize` "
                         "to rebuild every partition")
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} AS SELECT * FROM partition_rows LIMIT 0")
    deleted = con.execute(f'DELETE FROM {table} WHERE "{column}" IN (SELECT unnest($values))',
                          {"values": values}).fetchone()[0]
    inserted = con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM partition_rows ORDER BY ALL").fetchone()[0]
    con.execute("DROP TABLE partition_rows")
    return {"deleted": int(deleted), "inserted": int(inserted)}


# --- SQL chains: temp relations built in the order their files read each other ----------------------------------

_CREATES = re.compile(r"\bCREATE\s+OR\s+REPLACE\s+TEMP\s+TABLE\s+(\w+)", re.IGNORECASE)
_COMMENT = re.compile(r"--[^\n]*")


@cache
def temp_relations(folder: str) -> dict[str, str]:
    """Temp relation -> the file of `assets/sql/<folder>/` that creates it. Each such file creates exactly one,
    named as the file (`area_names.sql` creates `area_names`), so a reader can find it from the name."""
    found: dict[str, str] = {}
    for path in sorted((SQL_DIR / folder).glob("*.sql")):
        created = _CREATES.findall(_COMMENT.sub("", path.read_text(encoding="utf-8")))
        if not created:
            continue
        if created != [path.stem]:
            raise ValueError(f"{path}: a chain file creates one temp table named as the file, not {created}")
        found[path.stem] = f"{folder}/{path.stem}"
    return found


@cache
def reads(name: str) -> tuple[str, ...]:
    """The temp relations of the file's folder that `assets/sql/<name>.sql` reads (comments aside)."""
    folder, stem = name.rsplit("/", 1)
    text = _COMMENT.sub("", sql_text(name))
    return tuple(t for t in temp_relations(folder) if t != stem and re.search(rf"\b{t}\b", text))


class SqlChain:
    """Runs the SQL files of one build on one connection, building first every temp relation a file reads
    (and those they read), each once, in an order derived from the files themselves (graphlib): no Python list
    of temp tables to keep in step with the SQL."""

    def __init__(self, con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> None:
        self.con = con
        self.params = params
        self.built: set[str] = set()

    def _prerequisites(self, name: str) -> None:
        graph: dict[str, tuple[str, ...]] = {}
        folder = name.rsplit("/", 1)[0]
        pending = [f"{folder}/{t}" for t in reads(name)]
        while pending:
            file = pending.pop()
            if file not in graph:
                graph[file] = tuple(f"{folder}/{t}" for t in reads(file))
                pending.extend(graph[file])
        for file in TopologicalSorter(graph).static_order():
            if file not in self.built:
                run_sql(self.con, file, self.params)
                self.built.add(file)

    def run(self, name: str, **params: Any) -> None:
        """Run one file (after what it reads); extra `params` override the chain's for this file only, and a
        temp relation run again with them is rebuilt."""
        self._prerequisites(name)
        run_sql(self.con, name, {**self.params, **params})
        self.built.add(name)

    def frame(self, name: str) -> "pl.DataFrame":
        """The rows of the file's SELECT, as a polars frame (via Arrow)."""
        self._prerequisites(name)
        run_sql(self.con, name, self.params)
        return self.con.pl()

    def insert(self, table: str, name: str) -> None:
        """Insert the rows of the file's SELECT into `table` (columns by name)."""
        self._prerequisites(name)
        insert_select(self.con, table, name, self.params)
