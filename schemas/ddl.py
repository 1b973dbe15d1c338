"""Everything derived from a pandera polars model: DuckDB types and DDL, Dagster column schema, data dictionary.

One model per table (raw, staging or mart) is the single statement of its columns; nothing here is typed twice.
"""

from __future__ import annotations

import dagster as dg
import pandera.polars as pa
import polars as pl

from schemas.introspect import (
    NOT_NULL,
    UNIQUE,
    check_columns,
    column_specs,
    describe_check,
    table_checks,
    unique_keys,
)

_DUCKDB_TYPES: dict[type[pl.DataType], str] = {
    pl.String: "VARCHAR",
    pl.Categorical: "VARCHAR",
    pl.Enum: "VARCHAR",
    pl.Boolean: "BOOLEAN",
    pl.Int8: "TINYINT",
    pl.Int16: "SMALLINT",
    pl.Int32: "INTEGER",
    pl.Int64: "BIGINT",
    pl.UInt8: "UTINYINT",
    pl.UInt16: "USMALLINT",
    pl.UInt32: "UINTEGER",
    pl.UInt64: "UBIGINT",
    pl.Float32: "FLOAT",
    pl.Float64: "DOUBLE",
    pl.Date: "DATE",
    pl.Time: "TIME",
    pl.Null: "VARCHAR",
}


def duckdb_type(dtype: pl.DataType) -> str:
    """DuckDB type of a polars dtype."""
    if isinstance(dtype, pl.Datetime):
        return "TIMESTAMPTZ" if dtype.time_zone else "TIMESTAMP"
    if isinstance(dtype, pl.Decimal):
        return f"DECIMAL({dtype.precision or 38}, {dtype.scale or 0})"
    if isinstance(dtype, pl.Duration):
        return "INTERVAL"
    base = dtype if isinstance(dtype, type) else type(dtype)
    try:
        return _DUCKDB_TYPES[base]
    except KeyError:
        raise TypeError(f"no DuckDB type for polars dtype {dtype!r}") from None


def duckdb_types(model: type[pa.DataFrameModel]) -> dict[str, str]:
    """Column name → DuckDB type, in file order: the `columns=` argument of DuckDB's `read_csv`."""
    return {spec.name: duckdb_type(spec.dtype) for spec in column_specs(model)}


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _string_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def create_table_sql(model: type[pa.DataFrameModel], qualified_name: str, *, comments: bool = True) -> str:
    """`CREATE OR REPLACE TABLE` for the model (NOT NULL where not nullable), then `COMMENT ON` statements.

    `qualified_name` is `schema.table` (or a bare table). Identifiers are quoted; the comments carry the
    model's docstring and column descriptions, so DuckDB's catalogue (`duckdb_columns()`) documents itself.
    """
    table = ".".join(_identifier(part) for part in qualified_name.split("."))
    lines = [
        f"    {_identifier(spec.name)} {duckdb_type(spec.dtype)}{'' if spec.nullable else ' NOT NULL'}"
        for spec in column_specs(model)
    ]
    statements = [f"CREATE OR REPLACE TABLE {table} (\n" + ",\n".join(lines) + "\n)"]
    if comments:
        doc = " ".join((model.__doc__ or "").split())
        if doc:
            statements.append(f"COMMENT ON TABLE {table} IS {_string_literal(doc)}")
        for spec in column_specs(model):
            if spec.description:
                statements.append(
                    f"COMMENT ON COLUMN {table}.{_identifier(spec.name)} IS {_string_literal(spec.description)}"
                )
    return ";\n".join(statements) + ";"


def dagster_table_schema(model: type[pa.DataFrameModel]) -> dg.TableSchema:
    """The model as a Dagster `TableSchema` (the asset's Columns tab): types, descriptions, constraints."""
    columns = [
        dg.TableColumn(
            name=spec.name,
            type=duckdb_type(spec.dtype),
            description=spec.description,
            constraints=dg.TableColumnConstraints(nullable=spec.nullable, unique=spec.unique, other=list(spec.rules)),
        )
        for spec in column_specs(model)
    ]
    other = [f"unique ({', '.join(key)})" for key in unique_keys(model) if len(key) > 1]
    other += [describe_check(check) for check in table_checks(model)]
    return dg.TableSchema(columns=columns, constraints=dg.TableConstraints(other=other) if other else None)


def data_dictionary_rows(model: type[pa.DataFrameModel]) -> list[dict[str, object]]:
    """One dict per column: column, type, nullable, description, checks (in words, `; `-separated).

    Composite keys and row-wise checks are attached to the columns they involve.
    """
    composite = [key for key in unique_keys(model) if len(key) > 1]
    row_checks = table_checks(model)
    rows: list[dict[str, object]] = []
    for spec in column_specs(model):
        rules = [] if spec.nullable else [NOT_NULL]
        rules += [UNIQUE] if spec.unique else []
        rules += list(spec.rules)
        rules += [f"unique together with {', '.join(c for c in key if c != spec.name)}" for key in composite
                  if spec.name in key]  # fmt: skip
        rules += [describe_check(check) for check in row_checks if spec.name in check_columns(check)]
        rows.append(
            {
                "column": spec.name,
                "type": duckdb_type(spec.dtype),
                "nullable": spec.nullable,
                "description": spec.description or "",
                "checks": "; ".join(rules),
            }
        )
    return rows
