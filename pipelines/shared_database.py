"""The shared marts file: what of the restricted working database the intelligence team receives.

`write_shared_database` makes a new DuckDB file holding schema `marts` only, table by table as
`schemas/tiers.py` declares: shared tables copied as built, disclosed tables after the commissioner outputs'
disclosure control (the same `pipelines.outputs.build_tables`, so the file, the workbook and the CSVs hide the
same cells), restricted tables (the staging schema, the fine-grained activity) left out. Each table's DDL and
comments come from its pandera model; disclosed tables add `suppressed`, `suppression_reason` and
`suppressed_columns` where the model has not got them.

A table the working database holds but no tier declares stops the release: nothing is shared by default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines.config import Profile
from pipelines.disclosure import FLAG, HIDDEN, REASON
from pipelines.indicators.catalogue import Catalogue
from pipelines.outputs.tables import (
    _EXTREMES,
    _SII_COLUMNS,
    DRIFT_SPEC,
    GRADIENT_SPEC,
    INDICATOR_SPEC,
    build_tables,
    read_marts,
)
from pipelines.sql import attach_read_only
from schemas.ddl import create_table_sql
from schemas.indicators import INDICATOR_MODELS
from schemas.introspect import column_specs
from schemas.marts import MART_MODELS
from schemas.tiers import DISCLOSED, RESTRICTED, SHARED, tier_of

MODELS = {**MART_MODELS, **INDICATOR_MODELS}

#: The disclosure columns a disclosed table carries, with their descriptions (added where the model lacks them).
_DISCLOSURE_COLUMNS = {
    FLAG: ("BOOLEAN", "Some cell of the row is hidden by disclosure control (or withheld by the method)"),
    REASON: ("VARCHAR", "Why cells of the row are hidden or withheld"),
    HIDDEN: ("VARCHAR[]", "Which cells of the row disclosure control hid (null there; other nulls are missing)"),
}
#: What the counts of a row count, where a table's counts are not all of people (the rule hides only people).
_UNIT_COLUMNS = {
    "fct_indicator_values": {
        "numerator_counts": ("VARCHAR", "What the numerator counts: people, LSOAs, FTE staff, score"),
        "denominator_counts": ("VARCHAR", "What the denominator counts: people, LSOAs, FTE staff, score"),
    },
}


def _hideable(spec) -> tuple[str, ...]:
    return (*spec.counts, *spec.derived, *spec.small_values, *spec.on_flag)


#: The columns disclosure control can hide in each disclosed table: nullable in the shared file.
HIDEABLE: dict[str, tuple[str, ...]] = {
    "fct_indicator_values": _hideable(INDICATOR_SPEC),
    "fct_deprivation_gradients": _hideable(GRADIENT_SPEC),
    "fct_inequality_summary": (*_EXTREMES, *_SII_COLUMNS),
    "fct_right_drift": _hideable(DRIFT_SPEC),
}


class UndeclaredTableError(RuntimeError):
    """The working database holds a table that schemas/tiers.py does not place in a tier."""


@dataclass
class SharedSummary:
    shared: list[str] = field(default_factory=list)
    disclosed: dict[str, int] = field(default_factory=dict)  # table -> hidden rows
    restricted: list[str] = field(default_factory=list)


def write_shared_database(working: Path, target: Path, profile: Profile, catalogue: Catalogue) -> SharedSummary:
    """Write the shared marts file `target` (it must not exist) from the working database. The catalogue says
    what each indicator's counts count (only counts of people are suppressed), so it is never optional."""
    if target.exists():
        raise FileExistsError(f"{target} exists: the shared file is always written new")
    with duckdb.connect(str(working)) as con:
        con.execute("CHECKPOINT")  # the working file whole, with no log beside it, before it is read
    try:
        summary = _write(working, target, profile, catalogue)
        with open(target, "rb") as handle:
            os.fsync(handle.fileno())
        return summary
    except BaseException:
        target.unlink(missing_ok=True)  # never a half-made shared file
        Path(f"{target}.wal").unlink(missing_ok=True)
        raise


def _write(working: Path, target: Path, profile: Profile, catalogue) -> SharedSummary:
    summary = SharedSummary()
    with duckdb.connect(str(target)) as con:
        own = con.execute("SELECT current_database()").fetchone()[0]
        attach_read_only(con, working, "build")
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'build' ORDER BY 1, 2"
        ).fetchall()
        undeclared = [f"{s}.{t}" for s, t in tables if tier_of(s, t) is None]
        if undeclared:
            raise UndeclaredTableError(
                f"{working}: {', '.join(undeclared)} has no tier in schemas/tiers.py; declare it shared, disclosed "
                "or restricted before it can be released")
        con.execute("CREATE SCHEMA marts")
        disclosed_frames = None
        for schema, table in tables:
            tier = tier_of(schema, table)
            if tier == RESTRICTED:
                summary.restricted.append(f"{schema}.{table}")
                continue
            model = MODELS[table]
            con.execute(create_table_sql(model, f"{own}.marts.{table}"))  # it quotes each part
            qualified = f'"{own}".marts."{table}"'
            columns = ", ".join(f'"{spec.name}"' for spec in column_specs(model))
            if tier == SHARED:
                con.execute(f'INSERT INTO {qualified} SELECT {columns} FROM build.marts."{table}"')
                summary.shared.append(table)
            elif tier == DISCLOSED:
                if disclosed_frames is None:
                    con.execute("USE build")
                    disclosed_frames = _disclosed(read_marts(con), profile, catalogue)
                    con.execute(f'USE "{own}"')
                frame = _with_disclosure_columns(con, qualified, table, model, disclosed_frames[table])
                con.register("_disclosed", frame.to_arrow())
                con.execute(f"INSERT INTO {qualified} BY NAME SELECT * FROM _disclosed")
                con.unregister("_disclosed")
                summary.disclosed[table] = int(frame[FLAG].sum())
        con.execute("DETACH build")
        con.execute("CHECKPOINT")
    return summary


def _disclosed(marts: dict[str, pl.DataFrame], profile: Profile, catalogue) -> dict[str, pl.DataFrame]:
    """Each disclosed mart after the outputs' disclosure control, with its England rows (national totals, the
    comparator) as built; LSOA rows are not released."""
    tables = build_tables(marts, profile, catalogue)
    disclosed = {
        "fct_indicator_values": tables.indicators,
        "fct_deprivation_gradients": tables.gradients,
        "fct_inequality_summary": tables.inequality,
        "fct_right_drift": tables.right_drift,
    }
    for table, frame in disclosed.items():
        level = "level"
        england = marts[table].filter(pl.col(level) == "england")
        if not frame.filter(pl.col(level) == "england").is_empty() or england.is_empty():
            continue
        disclosed[table] = pl.concat([england, frame], how="diagonal_relaxed")
    return disclosed


def _with_disclosure_columns(con: duckdb.DuckDBPyConnection, qualified: str, table: str, model,
                             frame: pl.DataFrame) -> pl.DataFrame:
    """Add the disclosure columns the model lacks to the table; the frame cut to the table's columns."""
    names = [spec.name for spec in column_specs(model)]
    for column in dict.fromkeys(HIDEABLE[table]):
        if column in names:
            con.execute(f'ALTER TABLE {qualified} ALTER COLUMN "{column}" DROP NOT NULL')
    for column, (sql_type, description) in {**_UNIT_COLUMNS.get(table, {}), **_DISCLOSURE_COLUMNS}.items():
        if column not in names:
            con.execute(f'ALTER TABLE {qualified} ADD COLUMN "{column}" {sql_type}')
            con.execute(f"COMMENT ON COLUMN {qualified}.\"{column}\" IS '{description}'")
            names.append(column)
    frame = frame.with_columns(
        pl.col(FLAG).fill_null(False),
        pl.col(HIDDEN).fill_null(pl.lit([], pl.List(pl.String))),
    )
    return frame.select(names)


__all__ = ["write_shared_database", "SharedSummary", "UndeclaredTableError", "SHARED", "DISCLOSED", "RESTRICTED"]
