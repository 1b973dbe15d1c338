"""One pass over a frame that tells whether pandera would find nothing wrong with it.

pandera's polars backend evaluates every check of every column as its own query (about sixty for a raw file of
ten columns), each with a fixed cost: a 3,000-row monthly file spends ~40 ms in it, and a run has hundreds of
such files. `passes` asks the same question with pandera's own check functions (`PolarsCheckBackend.apply`),
all of them gathered into one `polars.collect_all`, and answers True only when every rule holds. When it
answers False (or meets a schema it cannot screen) the caller validates with pandera as before, so what a
failure says, and which rows it names, is pandera's.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import pandera.polars as pa
import polars as pl
from pandera.api.checks import Check
from pandera.api.function_dispatch import Dispatcher
from pandera.api.polars.types import PolarsData
from pandera.backends.polars.checks import PolarsCheckBackend
from pandera.backends.polars.register import register_polars_backends
from pandera.constants import CHECK_OUTPUT_KEY

_RESULT = "__passed"


def _all_true(check: pa.Check, frame: pl.LazyFrame, key: str) -> pl.LazyFrame | bool:
    function = check._check_fn
    if isinstance(function, Dispatcher) and Check.is_builtin_check(str(function)):
        # a copied schema (DataFrameSchema.update_columns) holds copies of the built-in checks' dispatchers,
        # taken before pandera registered their polars versions: take the registry's own
        check = copy.copy(check)
        check._check_fn = Check.get_builtin_check_fn(str(function))
    out = PolarsCheckBackend(check).apply(PolarsData(frame, key))
    if isinstance(out, bool):
        return out
    column = pl.col(CHECK_OUTPUT_KEY)
    column = column | column.is_null() if check.ignore_na else column.fill_null(False)
    return out.select(column.all().alias(_RESULT))


def passes(schema: pa.DataFrameSchema, frame: pl.DataFrame, unique: Sequence[Sequence[str]] = (),
           keys: bool = True) -> bool:
    """True if `frame` has exactly the schema's columns, in its dtypes, and meets every null rule, column
    check and frame-level check of it (and, given `unique`, has no repeated key); False if anything may fail.
    keys=False leaves out the schema's own unique columns and keys (a batch of a table: `screen_table` asks
    them of the whole table)."""
    register_polars_backends()  # the polars versions of the built-in checks (pandera does it on first validate)
    columns = schema.columns
    if set(frame.columns) != set(columns) or schema.parsers or any(c.parsers for c in columns.values()):
        return False
    lazy = frame.lazy()
    queries: list[pl.LazyFrame] = []
    try:
        for name, column in columns.items():
            if column.dtype is None or frame.schema[name] != column.dtype.type or column.regex:
                return False
            if not column.nullable:
                queries.append(lazy.select(pl.col(name).is_not_null().all().alias(_RESULT)))
            if column.unique and keys:
                queries.append(lazy.select(pl.col(name).is_unique().all().alias(_RESULT)))
            for check in column.checks:
                result = _all_true(check, lazy, name)
                if result is False:
                    return False
                if result is not True:
                    queries.append(result)
        for check in schema.checks:
            result = _all_true(check, lazy, "*")
            if result is False:
                return False
            if result is not True:
                queries.append(result)
        own = [list(schema.unique)] if keys and isinstance(schema.unique, list) else []
        for key in [*unique, *own]:
            queries.append(lazy.select((~pl.struct(list(key)).is_duplicated()).all().alias(_RESULT)))
        if not queries:
            return True
        return all(bool(result[_RESULT][0]) for result in pl.collect_all(queries))
    except Exception:  # a check this screen cannot evaluate: let pandera decide, and say what is wrong
        return False


def validate(schema: pa.DataFrameSchema, frame: pl.DataFrame) -> None:
    """pandera's lazy validation, screened first: raises pandera's SchemaErrors exactly when pandera would, but
    costs one pass when the frame is good."""
    if not passes(schema, frame):
        schema.validate(frame, lazy=True)


def unique_keys(schema: pa.DataFrameSchema) -> list[list[str]]:
    """The schema's unique key (Config.unique), then each column declared unique on its own."""
    own = [list(schema.unique)] if isinstance(schema.unique, list) else []
    return own + [[name] for name, column in schema.columns.items() if column.unique]


#: Rows per batch when a table is screened from DuckDB: memory stays bounded whatever the table's size.
TABLE_BATCH_ROWS = 250_000


def screen_table(con, table: str, schema: pa.DataFrameSchema, batch_rows: int = TABLE_BATCH_ROWS) -> int | None:
    """`passes` for a DuckDB table (`table`: a qualified name from code), read in batches of `batch_rows` so
    a table of millions of rows never sits in memory whole; its unique keys are asked of the whole table in
    SQL. The number of rows when every rule holds; None when anything may fail (the caller then validates
    the whole table with pandera, so what a failure says is pandera's)."""
    rows = 0
    reader = con.execute(f"SELECT * FROM {table}").to_arrow_reader(batch_rows)
    for batch in reader:
        frame = pl.from_arrow(batch)
        if not passes(schema, frame, keys=False):
            return None
        rows += frame.height
    if rows == 0 and not passes(schema, con.execute(f"SELECT * FROM {table}").pl(), keys=False):
        return None  # no batch to read: the columns and types are still the schema's
    for key in unique_keys(schema):
        columns = ", ".join(f'"{name}"' for name in key)
        if con.execute(f"SELECT 1 FROM {table} GROUP BY {columns} HAVING count(*) > 1 LIMIT 1").fetchone():
            return None
    return rows
